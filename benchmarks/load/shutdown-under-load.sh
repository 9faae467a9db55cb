#!/usr/bin/env bash
# Graceful shutdown under load (issue 16): Peru served from a copy; wrk (2 threads, 64 connections, mixed.lua) for
# 15 s; SIGTERM at +5 s. Prints when readiness turned 503, the server's exit code and when it exited, and wrk's
# figures: after the drain (Shutdown:DrainSeconds, default 5) the listener closes, so wrk's connect errors from then
# on are requests that were never accepted; an accepted request that failed shows as a 5xx, or a read error or
# timeout (a connection cut while waiting for its answer). Usage: benchmarks/load/shutdown-under-load.sh [drain s, default 5]
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
drain="${1:-5}"
port="${PORT:-8094}"

ops_build
ops_copy_peru
ops_make_lists
Logging__LogLevel__Default=Warning ops_start "$port" --Shutdown:DrainSeconds="$drain"
echo "machine: $(nproc) cores, load average $(ops_load)"
wrk -t2 -c64 -d5s -s "$here/mixed.lua" "$OPS_BASE" >/dev/null

wrk -t2 -c64 -d15s --timeout 10s --latency -s "$here/mixed.lua" "$OPS_BASE" >"$OPS_WORK/wrk.txt" &
wrk_pid=$!
OPS_PIDS+=("$wrk_pid")
sleep 5
start=$(date +%s.%N)
kill -TERM "$OPS_SERVER"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$OPS_BASE/health/ready")" != 200 ]; do sleep 0.05; done
echo "readiness not 200 after $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
set +e
wait "$OPS_SERVER"
code=$?
set -e
echo "server exited with $code after $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
wait "$wrk_pid"
cat "$OPS_WORK/wrk.txt"
echo "load average after the run: $(ops_load)"
