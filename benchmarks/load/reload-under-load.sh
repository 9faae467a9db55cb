#!/usr/bin/env bash
# Hot reload under load (issue 16): Peru served from a private copy of its files; wrk (2 threads, 64 connections,
# mixed.lua: half single lookups at populated places, half tiles z4-10) first for DURATION seconds without reloads
# (the baseline, same process), then for DURATION seconds while a reload is triggered every INTERVAL seconds: each
# trigger changes one population in the CSV copy (so that the inputs' version changes) and sends POST /admin/reload
# without waiting for it; triggers that arrive while a build runs coalesce into one follow-up build (the contract).
# Prints both runs' wrk figures (requests, p50/p90/p99, 5xx, socket errors, answers per version, stale answers) and
# what the runtime did meanwhile (GC pauses and collections, CPU, thread-pool queue, from /metrics), every swap seen,
# and, for each swap, whether a request sent after the swap answered with the new version.
# Usage: benchmarks/load/reload-under-load.sh [duration s, default 60] [interval s, default 5]
# Needs wrk, curl, python3, and ../shared/geodata/peru (or TILESERVER_PERU_DATA). SKIP_BUILD=1 skips the build.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
duration="${1:-60}"
interval="${2:-5}"
port="${PORT:-8091}"

ops_build
ops_copy_peru
ops_make_lists
Logging__LogLevel__Default=Warning ops_start "$port"
echo "machine: $(nproc) cores, load average $(ops_load) before the run"

# Warm-up (connection pools, caches), not measured.
wrk -t2 -c64 -d5s -s "$here/mixed.lua" "$OPS_BASE" >/dev/null

echo "== baseline: no reloads, ${duration} s"
ops_runtime_sample "$OPS_WORK/runtime-baseline.txt" &
sampler=$!
OPS_PIDS+=("$sampler")
wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -s "$here/mixed.lua" "$OPS_BASE" | grep -vE '^ |^Running|Latency|Req/Sec|Thread|Transfer'
kill "$sampler"
ops_runtime_summary "$OPS_WORK/runtime-baseline.txt"

echo "== a reload every ${interval} s, ${duration} s"
wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -s "$here/mixed.lua" "$OPS_BASE" >"$OPS_WORK/wrk.txt" &
wrk_pid=$!
OPS_PIDS+=("$wrk_pid")
ops_runtime_sample "$OPS_WORK/runtime-reloads.txt" &
sampler=$!
OPS_PIDS+=("$sampler")
start=$(date +%s.%N)
elapsed() { python3 -c "print(round($(date +%s.%N) - $start, 1))"; }
triggers=0 swaps=0 fresh=0
reload_pids=()
served=$(ops_version)
next=$interval
while kill -0 "$wrk_pid" 2>/dev/null; do
  if python3 -c "import sys; sys.exit(0 if $(date +%s.%N) - $start >= $next else 1)"; then
    triggers=$((triggers + 1))
    next=$((next + interval))
    ops_change_estimates "$((1000 + triggers))"
    (ops_reload >"$OPS_WORK/reload-$triggers.json") &
    reload_pids+=("$!")
  fi
  # A swap: the readiness answer names a new version; the next request must answer with it.
  now=$(ops_version)
  if [ "$now" != "$served" ]; then
    swaps=$((swaps + 1))
    after=$(curl -s -o /dev/null -D - "$OPS_BASE/v1/lookup?lat=-12.05&lon=-77.04" | awk 'tolower($1) == "x-dataset-version:" { print $2 }' | tr -d '\r')
    [ "$after" = "$now" ] && fresh=$((fresh + 1))
    echo "swap $swaps at +$(elapsed) s: $served -> $now; next answer names $after"
    served=$now
  fi
  sleep 0.2
done
kill "$sampler"
grep -vE '^ |^Running|Latency|Req/Sec|Thread|Transfer' "$OPS_WORK/wrk.txt"
ops_runtime_summary "$OPS_WORK/runtime-reloads.txt"
# The triggers still waiting answer when the build running at the end of the run has ended.
wait "${reload_pids[@]}"
echo "triggers: $triggers; swaps during the run: $swaps; next answer after a swap carried the new version: $fresh of $swaps"
for f in "$OPS_WORK"/reload-*.json; do python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("reload answer:", d.get("outcome") or d.get("title"), d.get("version"), d.get("elapsedMs"), "ms")' "$f"; done | sort | uniq -c
echo "load average after the run: $(ops_load)"
