#!/usr/bin/env bash
# What request logging costs (issue 16: it must not halve throughput): two servers on Peru, RequestLog:Enabled false
# and true (console logging to a file, the default formatter), loaded in turn with wrk (1 thread, 32 connections,
# random tiles z4-10) for DURATION, ROUNDS times interleaved (off, on, off, on, ...), so that the machine's noise falls
# on both. Prints each run's requests/s and the median ratio on/off.
# LOG_DEVNULL=1 sends the logging server's output to /dev/null instead of a file: the entries are still formatted and
# written by the console logger, without the file system, which tells the logger's cost from the disk's.
# Usage: benchmarks/load/request-log-cost.sh [duration s, default 10] [rounds, default 3]   (PORT and PORT+1, default 8096)
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
duration="${1:-10}"
rounds="${2:-3}"

ops_build
ops_copy_peru
ops_make_lists
port="${PORT:-8096}"
Logging__LogLevel__Default=Warning ops_start "$port" --RequestLog:Enabled=false
off="$OPS_BASE"
[ -z "${LOG_DEVNULL:-}" ] || ln -s /dev/null "$OPS_WORK/server-$((port + 1)).log"
Logging__LogLevel__Default=Warning ops_start "$((port + 1))" --RequestLog:Enabled=true
on="$OPS_BASE"
echo "machine: $(nproc) cores, load average $(ops_load)"
cat >"$OPS_WORK/tiles-rps.lua" <<'LUA'
local tiles = {}
function init(args)
  for line in io.lines(os.getenv("TILES_LIST")) do tiles[#tiles + 1] = "/tiles/poverty/" .. line .. ".mvt" end
end
function request() return wrk.format("GET", tiles[math.random(#tiles)], { ["Accept-Encoding"] = "gzip" }) end
function done(summary, latency, requests) io.write(string.format("rps %.0f\n", summary.requests / (summary.duration / 1e6))) end
LUA
for base in "$off" "$on"; do wrk -t1 -c32 -d3s -s "$OPS_WORK/tiles-rps.lua" "$base" >/dev/null; done
: >"$OPS_WORK/runs.txt"
for r in $(seq 1 "$rounds"); do
  for mode in off on; do
    base=$off; [ "$mode" = on ] && base=$on
    rps=$(wrk -t1 -c32 -d"${duration}s" -s "$OPS_WORK/tiles-rps.lua" "$base" | awk '/^rps/ { print $2 }')
    echo "round $r, request log $mode: $rps requests/s" | tee -a "$OPS_WORK/runs.txt"
  done
done
python3 - "$OPS_WORK/runs.txt" <<'PY'
import re, statistics, sys
runs = [re.search(r"log (\w+): (\d+)", l).groups() for l in open(sys.argv[1])]
off = [int(v) for m, v in runs if m == "off"]; on = [int(v) for m, v in runs if m == "on"]
print(f"median requests/s: off {statistics.median(off):.0f}, on {statistics.median(on):.0f}; on/off {statistics.median(on) / statistics.median(off):.2f} (issue 16 bound: above 0.5)")
PY
echo "log lines written by the logging server: $(wc -l <"$OPS_WORK/server-$((port + 1)).log")"
echo "load average after the run: $(ops_load)"
