#!/usr/bin/env bash
# Graceful shutdown under load (issue 16): Peru served from a copy; wrk (2 threads, 64 connections, mixed.lua) for
# 15 s; SIGTERM at +5 s. Prints when readiness turned 503, the server's exit code and when it exited, and wrk's
# figures: after the drain (Shutdown:DrainSeconds, default 5) the listener closes, so wrk's connect errors from then
# on are requests that were never accepted; an accepted request that failed shows as a 5xx, or a read error or
# timeout (a connection cut while waiting for its answer); the listener's accept queue, sampled until it closes, tells
# which read errors are connections reset by the kernel before the server ever accepted them.
# Usage: benchmarks/load/shutdown-under-load.sh [drain s, default 5]
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
# The listener's accept queue (Recv-Q of the LISTEN socket: connections the kernel has completed, with wrk's request
# already sent, that Kestrel has not yet accepted), sampled until the listener closes. When Kestrel closes the
# listener after the drain, the kernel resets the connections still queued: wrk counts each as a read error, yet no
# request on them ever reached the server. Read errors beyond the last queue seen would be requests cut.
python3 - "$port" >"$OPS_WORK/backlog.txt" <<'PY' &
import sys, time
port = f":{int(sys.argv[1]):04X}"
while True:
    queued = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f:
                fields = line.split()
                # State 0A is LISTEN; for a listening socket rx_queue is the accept queue's length.
                if fields[1].endswith(port) and fields[3] == "0A":
                    queued = int(fields[4].split(":")[1], 16)
    if queued is None:
        break
    print(queued, flush=True)
    time.sleep(0.002)
PY
OPS_PIDS+=("$!")
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
awk '{ n++; if ($1 > max) max = $1; last = $1 } END { printf "listener accept queue: %d samples, largest %d, last before the listener closed %d connections\n", n, max, last }' "$OPS_WORK/backlog.txt"
echo "load average after the run: $(ops_load)"
