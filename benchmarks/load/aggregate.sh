#!/usr/bin/env bash
# HTTP timings of issue 6's three aggregation queries against a running server on Peru, with the engine time the
# server reports for the same requests (Server-Timing), so the HTTP overhead is measured in one script.
#
#   dotnet run -c Release --project src/TileServer -- \
#     --Dataset:Districts=$PWD/../shared/geodata/peru/districts.shp \
#     --Dataset:Estimates=$PWD/../shared/geodata/peru/poverty.csv --urls=http://127.0.0.1:8080 &
#   benchmarks/load/aggregate.sh [base-url] [requests-per-query] [wrk-seconds]
#
# For each query: a sequential curl loop (median HTTP time as curl sees it, and median engine time from the
# Server-Timing header of the same responses, and their ratio), then wrk with one connection (latency percentiles).
set -euo pipefail

BASE=${1:-http://127.0.0.1:8080}
N=${2:-30}
SECONDS_WRK=${3:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

until curl -sf "$BASE/health/ready" >/dev/null; do sleep 1; done
curl -sf "$BASE/v1/departments/15" >"$WORK/lima.json"
echo "server $BASE, dataset $(curl -sf "$BASE/health/ready"), Lima body $(wc -c <"$WORK/lima.json") bytes, $N requests per query"

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# run NAME CURL-ARGS...: N sequential requests after 3 warm-ups; prints median HTTP ms, median engine ms, ratio.
run() {
  local name=$1; shift
  : >"$WORK/http"; : >"$WORK/engine"
  for i in $(seq 1 $((N + 3))); do
    local t
    t=$(curl -s -o /dev/null -D "$WORK/headers" -w '%{time_total}' "$@")
    if [ "$i" -gt 3 ]; then
      echo "$t * 1000" | bc -l >>"$WORK/http"
      grep -i '^server-timing:' "$WORK/headers" | sed -E 's/.*engine;dur=([0-9.]+).*/\1/' >>"$WORK/engine"
    fi
  done
  local http engine
  http=$(median <"$WORK/http"); engine=$(median <"$WORK/engine")
  printf '%-28s http median %8.2f ms   engine median %8.2f ms   http/engine %5.2f\n' "$name" "$http" "$engine" "$(echo "$http / $engine" | bc -l)"
}

run "Lima department (POST)" -X POST -H 'Content-Type: application/geo+json' --data-binary "@$WORK/lima.json" "$BASE/v1/aggregate"
run "country box (GET)" "$BASE/v1/aggregate?bbox=-81.5,-18.5,-68.5,0.1"
run "Cusco 50 km circle (GET)" "$BASE/v1/aggregate?lat=-13.532&lon=-71.978&radiusKm=50"

if command -v wrk >/dev/null; then
  cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/geo+json"
local f = io.open("$WORK/lima.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  echo "--- wrk -t1 -c1 -d${SECONDS_WRK}s --latency"
  for target in "Lima|-s $WORK/post.lua $BASE/v1/aggregate" \
                "country box|$BASE/v1/aggregate?bbox=-81.5,-18.5,-68.5,0.1" \
                "Cusco circle|$BASE/v1/aggregate?lat=-13.532&lon=-71.978&radiusKm=50"; do
    name=${target%%|*}; args=${target#*|}
    # shellcheck disable=SC2086
    wrk -t1 -c1 -d"${SECONDS_WRK}s" --latency $args | awk -v n="$name" '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Requests\/sec/ { rps = $2 } END { printf "%-14s p50 %s  p99 %s  %s req/s\n", n, p50, p99, rps }'
  done
fi
