#!/usr/bin/env bash
# HTTP latency of issue 6's three aggregation queries against a running server on Peru, next to the engine time the
# server reports for the same responses (Server-Timing header), so that the HTTP overhead is measured in one run.
#
#   dotnet build -c Release src/TileServer
#   src/TileServer/bin/Release/net10.0/TileServer \
#     --Dataset:Districts=$PWD/../shared/geodata/peru/districts.shp \
#     --Dataset:Estimates=$PWD/../shared/geodata/peru/poverty.csv --urls=http://127.0.0.1:8080 &
#   benchmarks/load/aggregate.sh [base-url] [seconds-per-query]
#
# Per query: wrk with one thread and one keep-alive connection (requests one after another), after a warm-up run of
# the same length so that the JIT has settled; prints the median and 99th percentile latency, the median engine time
# and the ratio of the two medians. Needs wrk (apt-get install -y wrk) and curl.
set -euo pipefail

BASE=${1:-http://127.0.0.1:8080}
DURATION=${2:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

until curl -sf "$BASE/health/ready" >/dev/null; do sleep 1; done
curl -sf "$BASE/v1/departments/15" >"$WORK/lima.json"
echo "server $BASE, $(curl -sf "$BASE/health/ready"), Lima department body $(wc -c <"$WORK/lima.json") bytes, wrk -t1 -c1 -d${DURATION}s"

# measure.lua: optional POST body; collects Server-Timing engine durations; prints the summary line.
cat >"$WORK/measure.lua" <<'LUA'
local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/geo+json"
  local f = io.open(body_file, "rb"); wrk.body = f:read("*a"); f:close()
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
engine = {}
function response(status, headers, body)
  if status ~= 200 then error("status " .. status .. ": " .. body) end
  local timing = headers["Server-Timing"] or headers["server-timing"] or ""
  local d = timing:match("engine;dur=([%d%.]+)")
  if d then engine[#engine + 1] = tonumber(d) end
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("engine")) do all[#all + 1] = v end
  end
  table.sort(all)
  local engine_median = all[math.floor((#all + 1) / 2)]
  local http_median = latency:percentile(50) / 1000
  io.write(string.format("%-26s http p50 %8.3f ms  p99 %8.3f ms  engine median %8.3f ms  http/engine %5.2f  %6d requests\n",
    os.getenv("QUERY_NAME"), http_median, latency:percentile(99) / 1000, engine_median, http_median / engine_median, summary.requests))
end
LUA

run() {
  local name=$1 body=$2 url=$3
  BODY_FILE=$body QUERY_NAME="warm-up" wrk -t1 -c1 -d"${DURATION}s" -s "$WORK/measure.lua" "$url" >/dev/null
  BODY_FILE=$body QUERY_NAME=$name wrk -t1 -c1 -d"${DURATION}s" -s "$WORK/measure.lua" "$url" | tail -n 1
}

run "Lima department (POST)" "$WORK/lima.json" "$BASE/v1/aggregate"
run "country box (GET)" "" "$BASE/v1/aggregate?bbox=-81.5,-18.5,-68.5,0.1"
run "Cusco 50 km circle (GET)" "" "$BASE/v1/aggregate?lat=-13.532&lon=-71.978&radiusKm=50"
