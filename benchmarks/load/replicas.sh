#!/usr/bin/env bash
# Three replicas behind nginx (deploy/nginx/nginx.conf) on loopback, issue 19 part 3:
#  1. tiles: wrk on one replica directly, then through nginx's proxy cache (the cache warmed by a first pass), the
#     same tile list and connections, interleaved ROUNDS times; medians and the ratio;
#  2. failover: GET /v1/lookup through nginx (not cached: every request reaches a replica); one replica is killed
#     (SIGKILL, a crash, not a drain) after N seconds and started again N seconds later; wrk stops 10 s after it is
#     ready. The run must end with zero failed requests, and nginx's log shows that the restarted replica answered 200 only once its
#     /health/ready did (its 503s while loading were retried on the others).
# Usage: benchmarks/load/replicas.sh [seconds per tile run, default 10] [seconds before the kill, default 10] [rounds, default 3]
# DATASET=sample serves the embedded sample instead of Peru (faster starts on a busy machine).
# Needs wrk, nginx (Debian), curl, python3; for Peru ../shared/geodata/peru (or TILESERVER_PERU_DATA).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
duration="${1:-10}"
before_kill="${2:-10}"
rounds="${3:-3}"
proxy_port="${PROXY_PORT:-8190}"
ports=(8191 8192 8193)
work="$(mktemp -d)"
server="$repo/src/TileServer/bin/Release/net10.0/TileServer"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
declare -A pids=()
wrk_pid=""

cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo >/dev/null

dataset=(--Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv")
if [ "${DATASET:-peru}" = sample ]; then
  dataset=(--Dataset:Districts="$repo/geodata/sample/districts.shp" --Dataset:Estimates="$repo/geodata/sample/estimates.csv")
fi
start_replica() { # port
  Logging__LogLevel__Default=Warning "$server" "${dataset[@]}" \
    --Proxy:ForwardedHeaders=true --Proxy:KnownProxies:0=127.0.0.1 \
    --urls="http://127.0.0.1:$1" >> "$work/replica-$1.log" 2>&1 &
  pids[$1]=$!
}
wait_ready() { # port; prints the time it answered ready
  until curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; do
    kill -0 "${pids[$1]}" 2>/dev/null || { cat "$work/replica-$1.log" >&2; exit 1; }
    sleep 0.1
  done
  date +%s.%N
}

for p in "${ports[@]}"; do start_replica "$p"; done
for p in "${ports[@]}"; do wait_ready "$p" >/dev/null; done
echo "replicas ready: ${ports[*]} ($(curl -sf "http://127.0.0.1:${ports[0]}/health/ready"))"

mkdir -p "$work/logs" "$work/temp" "$work/cache"
{
  echo "upstream tileserver {"
  echo "    zone tileserver 64k;"
  for p in "${ports[@]}"; do echo "    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"; done
  echo "    keepalive 64;"
  echo "}"
} > "$work/upstream.conf"
sed "s/listen 8080 /listen 127.0.0.1:$proxy_port /" "$repo/deploy/nginx/nginx.conf" > "$work/nginx.conf"
# As root, nginx's workers would run as nobody, who cannot enter the private temporary folder.
user=()
[ "$(id -u)" -eq 0 ] && user=(-g "user root;")
"$nginx_bin" -p "$work/" -c "$work/nginx.conf" "${user[@]}" -t -q
"$nginx_bin" -p "$work/" -c "$work/nginx.conf" "${user[@]}"
until curl -sf "http://127.0.0.1:$proxy_port/nginx-health" >/dev/null; do sleep 0.1; done

# Every tile address over the tileset's bounds at zooms 0-10 (the empty ones answer 204, a cheap answer counted as
# success), so that the list needs nothing but the server.
curl -sf "http://127.0.0.1:$proxy_port/tiles/poverty.json" | python3 -c '
import json, math, sys
t = json.load(sys.stdin); west, south, east, north = t["bounds"]
def tile(lon, lat, z):
    n = 2 ** z; r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)
for z in range(t["minzoom"], min(t["maxzoom"], 10) + 1):
    x0, y0 = tile(west, north, z); x1, y1 = tile(east, south, z)
    for x in range(x0, min(x1, 2 ** z - 1) + 1):
        for y in range(y0, min(y1, 2 ** z - 1) + 1):
            print(f"{z}/{x}/{y}")' > "$work/tiles.txt"
version="$(curl -sf "http://127.0.0.1:$proxy_port/tiles/poverty.json" | python3 -c 'import json,sys; t=json.load(sys.stdin)["tiles"][0]; print(t.split("/v/")[1].split("/")[0])')"
echo "tileset version $version; TileJSON through nginx names $(curl -sf "http://127.0.0.1:$proxy_port/tiles/poverty.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tiles"][0])')"
echo "tile addresses (z0-10 over the bounds): $(wc -l < "$work/tiles.txt"); nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"

export TILES_LIST="$work/tiles.txt" TILES_PREFIX="/tiles/poverty/v/$version/"
tiles_run() { # base url; prints requests/s and the summary line
  wrk -t2 -c64 -d"${duration}s" -s "$here/tiles.lua" "$1" | awk '/Requests\/sec/ { rps = $2 } /tiles cycled/ { line = $0 } END { print rps, line }'
}
# Warm-up: JIT on the replica, every tile into nginx's cache (both variants are not needed: wrk asks gzip).
wrk -t2 -c64 -d"${duration}s" -s "$here/tiles.lua" "http://127.0.0.1:${ports[0]}" > /dev/null
wrk -t2 -c64 -d"${duration}s" -s "$here/tiles.lua" "http://127.0.0.1:$proxy_port" > /dev/null
echo "cache check: $(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$proxy_port/tiles/poverty/v/$version/$(head -1 "$work/tiles.txt").mvt" | tr -d '\r' | grep -iE '^x-cache-status|^cache-control' | tr '\n' ' ')"
single=() proxied=()
for r in $(seq "$rounds"); do
  s="$(tiles_run "http://127.0.0.1:${ports[0]}")"; single+=("${s%% *}"); echo "round $r single replica: $s"
  n="$(tiles_run "http://127.0.0.1:$proxy_port")"; proxied+=("${n%% *}"); echo "round $r nginx cache:    $n"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms="$(median "${single[@]}")"; mp="$(median "${proxied[@]}")"
echo "tiles, median of $rounds: single replica $ms req/s, through nginx cache $mp req/s, ratio $(python3 -c "print(round($mp / $ms, 2))")"

# Failover under load: wrk runs until the restarted replica has been ready for 10 s, then is stopped (SIGINT: wrk
# prints its summary). Lookups at random points of the tileset's bounds.
curl -sf "http://127.0.0.1:$proxy_port/tiles/poverty.json" | python3 -c '
import json, random, sys
west, south, east, north = json.load(sys.stdin)["bounds"]; rng = random.Random(1)
for _ in range(100000): print(f"{rng.uniform(south, north):.6f} {rng.uniform(west, east):.6f}")' > "$work/points.txt"
victim="${ports[1]}"
: > "$work/logs/upstreams.log"
kill -USR1 "$(cat "$work/nginx.pid")"
export POINTS_FILE="$work/points.txt"
wrk -t2 -c64 -d3600s --latency -s "$here/lookup.lua" "http://127.0.0.1:$proxy_port" > "$work/failover.txt" &
wrk_pid=$!
sleep "$before_kill"
killed_at="$(date +%s.%N)"
kill -9 "${pids[$victim]}"
echo "killed replica $victim (SIGKILL) $before_kill s into the run"
sleep "$before_kill"
restarted_at="$(date +%s.%N)"
start_replica "$victim"
ready_at="$(wait_ready "$victim")"
echo "restarted replica $victim $before_kill s later; ready after $(python3 -c "print(round($ready_at - $restarted_at, 2))") s"
sleep 10
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
grep -E '^lookup:|Latency' "$work/failover.txt"
sleep 1.5
python3 - "$work/logs/upstreams.log" "127.0.0.1:$victim" "$killed_at" "$restarted_at" "$ready_at" <<'PY'
import sys
log, victim, killed, restarted, ready = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
client_fail = answered_before_kill = retried_down = retried_loading = first_ok_after = 0
first_ok = None
for line in open(log):
    t, status, addrs, statuses = line.split("|")[:4]
    t = float(t); addrs = addrs.split(", "); statuses = statuses.split(", ")
    if int(status) >= 500: client_fail += 1
    for a, s in zip(addrs, statuses):
        if a != victim: continue
        if t < killed: answered_before_kill += 1
        elif t < restarted: retried_down += 1
        elif s == "503": retried_loading += 1
        elif s == "200" and t >= restarted:
            first_ok_after += 1
            first_ok = t if first_ok is None else min(first_ok, t)
print(f"nginx log: 5xx to clients {client_fail}; victim answered {answered_before_kill} before the kill; "
      f"attempts on it while down (retried elsewhere) {retried_down}; 503s while loading (retried) {retried_loading}; "
      f"200s after restart {first_ok_after}")
if first_ok is None:
    print("restarted replica got no traffic before the run ended")
else:
    print(f"first 200 from the restarted replica {first_ok - ready:+.2f} s after its /health/ready answered 200")
    if first_ok < ready - 0.2: sys.exit("FAIL: answered before ready")
if client_fail: sys.exit("FAIL: clients saw failures")
PY
