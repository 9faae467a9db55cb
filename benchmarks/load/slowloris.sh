#!/usr/bin/env bash
# Slowloris (issue 16, "Limits and fairness"): Peru served from a copy; wrk (1 thread, 32 connections, mixed.lua) for
# DURATION seconds alone (the baseline), then again while SOCKETS connections (default 500) each dribble one header
# byte every second (python3, no request ever completes). Kestrel cuts each at Limits:RequestHeadersTimeoutSeconds
# (default 10; the dribbler reconnects), so the attack costs open sockets, not threads. Prints both runs' requests/s,
# p99, errors, the ratio, and how many of the slow connections the server cut.
# Usage: benchmarks/load/slowloris.sh [duration s, default 30] [sockets, default 500]
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
duration="${1:-30}"
sockets="${2:-500}"
port="${PORT:-8098}"

ops_build
ops_copy_peru
ops_make_lists
Logging__LogLevel__Default=Warning ops_start "$port"
echo "machine: $(nproc) cores, load average $(ops_load)"
summary() { grep -E '^(requests|answers|socket)'; }
wrk -t1 -c32 -d5s -s "$here/mixed.lua" "$OPS_BASE" >/dev/null
echo "== baseline"
wrk -t1 -c32 -d"${duration}s" --timeout 10s -s "$here/mixed.lua" "$OPS_BASE" | summary | tee "$OPS_WORK/base.txt"

python3 - "$port" "$sockets" "$((duration + 5))" >"$OPS_WORK/slow.txt" <<'PY' &
import socket, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def open_one():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
    return s
conns, cut, end = [open_one() for _ in range(n)], 0, time.time() + seconds
while time.time() < end:
    for i, s in enumerate(conns):
        try:
            s.sendall(b"X")
        except OSError:
            cut += 1
            s.close()
            conns[i] = open_one()
    time.sleep(1)
print(f"slow connections: {n} held open, {cut} cut by the server and reopened")
PY
slow=$!
OPS_PIDS+=("$slow")
sleep 3
echo "== with $sockets slowloris connections"
wrk -t1 -c32 -d"${duration}s" --timeout 10s -s "$here/mixed.lua" "$OPS_BASE" | summary | tee "$OPS_WORK/attacked.txt"
wait "$slow"
cat "$OPS_WORK/slow.txt"
python3 - "$OPS_WORK/base.txt" "$OPS_WORK/attacked.txt" <<'PY'
import re, sys
rps = [float(re.search(r"\((\d+)/s\)", open(f).read()).group(1)) for f in sys.argv[1:]]
print(f"requests/s under slowloris / alone: {rps[1] / rps[0]:.2f} (issue 16 bound: at least 0.80, no errors)")
PY
echo "load average after the run: $(ops_load)"
