#!/usr/bin/env bash
# Heavy routes do not starve cheap ones (issue 16, "Limits and fairness"): Peru served from a copy; tiles alone (wrk,
# 1 thread, 8 connections, every tile id over Peru z4-10, mixed.lua's tile half) for DURATION as the baseline; then the
# same tile run while a second wrk (1 thread, 32 connections) POSTs Lima department's polygon to /v1/aggregate. Prints
# each run's tile p50/p99, the ratio, and how the aggregate requests were answered (200, 429 from the compute
# limiter). Usage: benchmarks/load/fairness.sh [duration s, default 20]
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
duration="${1:-20}"
port="${PORT:-8095}"

ops_build
ops_copy_peru
ops_make_lists
Logging__LogLevel__Default=Warning ops_start "$port"
echo "machine: $(nproc) cores, load average $(ops_load)"
curl -sf "$OPS_BASE/v1/departments/15" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["geometry"]))' >"$OPS_WORK/lima.json"

cat >"$OPS_WORK/tiles-only.lua" <<'LUA'
local tiles = {}
function init(args)
  for line in io.lines(os.getenv("TILES_LIST")) do tiles[#tiles + 1] = "/tiles/poverty/" .. line .. ".mvt" end
  math.randomseed(17)
end
function request() return wrk.format("GET", tiles[math.random(#tiles)], { ["Accept-Encoding"] = "gzip" }) end
function done(summary, latency, requests)
  io.write(string.format("tiles: %d requests, p50 %.2f ms, p99 %.2f ms, non-2xx %d, socket errors %d\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
cat >"$OPS_WORK/aggregate.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/geo+json"
local f = io.open(os.getenv("BODY_FILE"), "rb"); wrk.body = f:read("*a"); f:close()
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok, limited, other = 0, 0, 0 end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then limited = limited + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local t = { ok = 0, limited = 0, other = 0 }
  for _, th in ipairs(threads) do for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end end
  io.write(string.format("aggregate (32 connections): 200 %d, 429 %d, other %d; p50 %.1f ms\n", t.ok, t.limited, t.other, latency:percentile(50) / 1000))
end
LUA

wrk -t1 -c8 -d5s -s "$OPS_WORK/tiles-only.lua" "$OPS_BASE" >/dev/null
echo "baseline, tiles alone:"
wrk -t1 -c8 -d"${duration}s" --latency -s "$OPS_WORK/tiles-only.lua" "$OPS_BASE" | grep '^tiles:' | tee "$OPS_WORK/base.txt"
echo "tiles while 32 clients POST Lima to /v1/aggregate:"
BODY_FILE="$OPS_WORK/lima.json" wrk -t1 -c32 -d"$((duration + 4))s" --timeout 30s -s "$OPS_WORK/aggregate.lua" "$OPS_BASE/v1/aggregate" | grep '^aggregate' >"$OPS_WORK/agg.txt" &
agg=$!
OPS_PIDS+=("$agg")
sleep 2
wrk -t1 -c8 -d"${duration}s" --latency -s "$OPS_WORK/tiles-only.lua" "$OPS_BASE" | grep '^tiles:' | tee "$OPS_WORK/loaded.txt"
wait "$agg"
cat "$OPS_WORK/agg.txt"
python3 - "$OPS_WORK/base.txt" "$OPS_WORK/loaded.txt" <<'PY'
import re, sys
p99 = [float(re.search(r"p99 ([\d.]+)", open(f).read()).group(1)) for f in sys.argv[1:]]
print(f"tile p99 with heavy load / alone: {p99[1] / p99[0]:.2f} ({p99[1]:.2f} ms vs {p99[0]:.2f} ms; issue 16 bound: under 20 ms)")
PY
echo "load average after the run: $(ops_load)"
