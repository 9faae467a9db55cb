#!/usr/bin/env bash
# Scaling curve of issue 19 part 6: synthetic countries of the sample generator (seed 1) at each size given, one
# cold start each, one after another (never two servers at once). Per size: generation time, wall time to ready and
# the server's load steps (/v1/dataset timingsMs), tileset size, resident memory after load and its peak (VmRSS,
# VmHWM), then over HTTP on loopback: GET /v1/lookup at random points of the country's box (wrk -t2 -c32) and
# GET /v1/aggregate over the middle quarter of the box (wrk -t1 -c1, one after another; median and p99), each after
# a warm-up run of the same length. Then the country's snapshot file (export-snapshot) and cold starts from it, with
# the build output (tiered compilation off, as the project sets it) and with the replica image's build (ReadyToRun,
# DOTNET_TieredCompilation=1, DOTNET_TC_QuickJitForLoops=0, as the Dockerfile publishes and runs it), one after the other.
# Usage: nice benchmarks/load/scale.sh [seconds per wrk run, default 10] [sizes, default "1000 10000 100000"]
# Needs wrk, curl, python3. Nothing from ../shared: the countries are generated into a temporary folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration="${1:-10}"
sizes="${2:-1000 10000 100000}"
port="${PORT:-8195}"
work="$(mktemp -d)"
server="$repo/src/TileServer/bin/Release/net10.0/TileServer"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo >/dev/null
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true "$repo/src/TileServer" -o "$work/replica" -v quiet -nologo >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GB; load $(cut -d' ' -f1-3 /proc/loadavg)"

for n in $sizes; do
  t0=$(date +%s.%N)
  "$server" generate-sample --districts "$n" --seed 1 --out "$work/c$n" > /dev/null
  t1=$(date +%s.%N)
  Logging__LogLevel__Default=Warning "$server" --Dataset:Districts="$work/c$n/districts.shp" \
    --Dataset:Estimates="$work/c$n/estimates.csv" --urls="http://127.0.0.1:$port" > "$work/server-$n.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
    kill -0 "$pid" 2> /dev/null || { cat "$work/server-$n.log"; exit 1; }
    sleep 0.5
  done
  t2=$(date +%s.%N)
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status"); hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  curl -sf "http://127.0.0.1:$port/v1/dataset" > "$work/dataset.json"
  curl -sf "http://127.0.0.1:$port/tiles/poverty.json" > "$work/tilejson.json"
  python3 - "$work" "$n" "$t0" "$t1" "$t2" "$rss" "$hwm" <<'PY'
import json, random, sys
work, n, t0, t1, t2, rss, hwm = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6]), int(sys.argv[6]), int(sys.argv[7])
d = json.load(open(f"{work}/dataset.json")); tiles = d.get("tiles") or {}
west, south, east, north = json.load(open(f"{work}/tilejson.json"))["bounds"]
timings = {k: round(v / 1000, 1) for k, v in d.get("timingsMs", {}).items()}
print(f"{n} districts: generated in {t1 - t0:.1f} s; ready {t2 - t1:.1f} s after start; load steps (s) {timings}; "
      f"tiles {tiles.get('tiles')} ({tiles.get('mvtBytes', 0) / 2**20:.1f} MiB MVT, {tiles.get('gzipBytes', 0) / 2**20:.1f} MiB gzip, "
      f"largest {tiles.get('largestTileBytes', 0) / 1024:.0f} KiB) built in {tiles.get('elapsedMs', 0) / 1000:.1f} s; "
      f"VmRSS {rss / 1024:.0f} MB after load, VmHWM {hwm / 1024:.0f} MB")
rng = random.Random(1)
with open(f"{work}/points.txt", "w") as f:
    for _ in range(100_000):
        f.write(f"{rng.uniform(south, north):.6f} {rng.uniform(west, east):.6f}\n")
w, s, e, nn = west + (east - west) / 4, south + (north - south) / 4, east - (east - west) / 4, north - (north - south) / 4
open(f"{work}/aggregate.txt", "w").write(f"/v1/aggregate?bbox={w:.5f},{s:.5f},{e:.5f},{nn:.5f}")
PY
  export POINTS_FILE="$work/points.txt"
  wrk -t2 -c32 -d"${duration}s" -s "$here/lookup.lua" "http://127.0.0.1:$port" > /dev/null
  echo "  $(wrk -t2 -c32 -d"${duration}s" -s "$here/lookup.lua" "http://127.0.0.1:$port" | grep '^lookup:')"
  agg="http://127.0.0.1:$port$(cat "$work/aggregate.txt")"
  curl -sf -D "$work/agg-headers.txt" -o "$work/agg.json" "$agg"
  wrk -t1 -c1 -d"${duration}s" "$agg" > /dev/null
  echo "  aggregate over the middle quarter ($(python3 -c "import json; d=json.load(open('$work/agg.json')); print(d.get('units', d.get('districts', '?')), 'units,', 'population', d.get('population', d.get('totals', {}).get('poblacion', '?')))" 2>/dev/null)), Server-Timing: $(grep -i '^server-timing' "$work/agg-headers.txt" | tr -d '\r' | cut -d' ' -f2-)"
  echo "  $(wrk -t1 -c1 -d"${duration}s" --latency "$agg" | awk '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "aggregate: %s requests/s one at a time, p50 %s, p99 %s", r, p50, p99 }')"
  echo "  after wrk: $(grep -E 'VmRSS|VmHWM' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
  kill "$pid"; wait "$pid" 2> /dev/null || true; pid=""
  # Build once, serve many (issue 19 part 5): the same country exported to a snapshot file, then cold starts from it
  # (SNAPSHOT_RUNS, default 3), each until ready: wall time, CPU until ready, and the read's own steps.
  t3=$(date +%s.%N)
  "$server" export-snapshot --output "$work/c$n.tssnap" --Dataset:Districts="$work/c$n/districts.shp" \
    --Dataset:Estimates="$work/c$n/estimates.csv" > /dev/null
  echo "  export-snapshot: $(python3 -c "print(f'{$(date +%s.%N) - $t3:.1f}')") s (load and write), $(( $(stat -c %s "$work/c$n.tssnap") / 1048576 )) MiB"
  for run in $(seq 1 "${SNAPSHOT_RUNS:-3}"); do for build in build replica; do
    if [ "$build" = build ]; then program="$server" tiered=0; else program="$work/replica/TileServer" tiered=1; fi
    t4=$(date +%s%N)
    DOTNET_TieredCompilation=$tiered DOTNET_TC_QuickJitForLoops=0 Logging__LogLevel__Default=Warning "$program" --Dataset:Snapshot="$work/c$n.tssnap" \
      --urls="http://127.0.0.1:$port" > "$work/server-$n-snapshot.log" 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do
      kill -0 "$pid" 2> /dev/null || { cat "$work/server-$n-snapshot.log"; exit 1; }
      sleep 0.05
    done
    ready=$(( ($(date +%s%N) - t4) / 1000000 ))
    cpu=$(awk -v t="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$pid/stat")
    steps=$(curl -sf "http://127.0.0.1:$port/v1/dataset" | python3 -c "import json, sys; t = json.load(sys.stdin)['timingsMs']; print(', '.join(f'{k} {v}' for k, v in t.items() if k in ('readSnapshot', 'deriveFromSnapshot') or k.startswith('snapshot')))")
    echo "  start from the snapshot ($build), run $run: ready after $ready ms, CPU $cpu ms, VmRSS $(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status") MB; steps (ms): $steps; load $(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2> /dev/null || true; pid=""
  done; done
  rm -rf "$work/c$n" "$work/c$n.tssnap"
done
