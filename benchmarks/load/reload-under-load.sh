#!/usr/bin/env bash
# Hot reload under load (issue 16): Peru served from a private copy of its files; wrk (2 threads, 64 connections,
# mixed.lua: half single lookups at populated places, half tiles z4-10) for DURATION while POST /admin/reload runs
# every INTERVAL seconds, each after changing one population in the CSV copy (so every reload builds and swaps a new
# version). Prints wrk's figures (requests, p50/p90/p99, 5xx, socket errors, answers per version, stale answers) and,
# per reload, its outcome, build time and whether the first request sent after the reload answered returned the new
# version. Usage: benchmarks/load/reload-under-load.sh [duration s, default 60] [interval s, default 5]
# Needs wrk, curl, python3, and ../shared/geodata/peru (or TILESERVER_PERU_DATA).
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

wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -s "$here/mixed.lua" "$OPS_BASE" >"$OPS_WORK/wrk.txt" &
wrk_pid=$!
OPS_PIDS+=("$wrk_pid")

reloads=0 fresh=0 failed=0
start=$(date +%s)
sleep "$interval"
while [ $(( $(date +%s) - start + interval )) -le "$duration" ]; do
  reloads=$((reloads + 1))
  ops_change_estimates "$((1000 + reloads))"
  answer=$(ops_reload)
  version=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("version") or "")' "$answer")
  outcome=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("outcome") or d.get("title"), d.get("elapsedMs", ""), "ms")' "$answer")
  after=$(curl -s -o /dev/null -D - "$OPS_BASE/v1/lookup?lat=-12.05&lon=-77.04" | awk 'tolower($1) == "x-dataset-version:" { print $2 }' | tr -d '\r')
  if [ -n "$version" ] && [ "$after" = "$version" ]; then fresh=$((fresh + 1)); else failed=$((failed + 1)); fi
  echo "reload $reloads at +$(( $(date +%s) - start )) s: $outcome -> $version; next answer names $after"
  sleep "$interval"
done
wait "$wrk_pid"
cat "$OPS_WORK/wrk.txt"
echo "reloads: $reloads; next answer carried the new version: $fresh; did not: $failed"
echo "load average after the run: $(ops_load)"
