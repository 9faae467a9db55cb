#!/usr/bin/env bash
# Memory over reloads (issue 16: the old snapshot's memory is given back): Peru served from a private copy of its
# files, then COUNT reloads (default 20), each after changing one population in the CSV copy, so that each builds and
# swaps a new snapshot. After each: a few requests (so that nothing of the old snapshot stays in a cache), then a full
# GC, forced from outside by dotnet-gcdump (the pinned local tool: it induces a blocking gen-2 collection to walk the
# heap, and its dump is thrown away), SETTLE seconds (default 5: the GC gives freed regions back to the OS gradually),
# then the resident memory (VmRSS) and the GC's heap size after that collection (dotnet_gc_last_collection_heap_size_bytes
# from /metrics, fragmentation included). Prints each, and the last and the largest against start-up (measured the
# same way) and against the first reload (after which two snapshots have been alive at once, as after every reload).
# The server itself never forces a collection: a blocking gen-2 collection of a snapshot-sized heap would pause
# every request (see the README, "Operations: figures").
# Usage: benchmarks/load/reload-memory.sh [count, default 20] [settle s, default 5]
# Needs curl, python3, the .NET SDK (dotnet tool restore), ../shared/geodata/peru. SKIP_BUILD=1 skips the build.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/ops-common.sh"
count="${1:-20}"
settle="${2:-5}"
port="${PORT:-8092}"

ops_build
ops_copy_peru
# Priority does not change what a reload keeps: reloads build at normal priority here, so that 20 of them end in
# minutes on a busy machine (at nice 19 beside other work a Peru build can take minutes).
Logging__LogLevel__Default=Warning ops_start "$port" --Dataset:ReloadNiceness=0
echo "machine: $(nproc) cores, load average $(ops_load)"

heap() { curl -s "$OPS_BASE/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes[{ ]/ { s += $NF } END { printf "%.0f", s / 1048576 }'; }
committed() { curl -s "$OPS_BASE/metrics" | awk '/^dotnet_gc_last_collection_memory_committed_size_bytes[{ ]/ { printf "%.0f", $NF / 1048576 }'; }
full_gc() { (cd "$OPS_REPO" && dotnet tool run dotnet-gcdump collect -p "$OPS_SERVER" -o "$OPS_WORK/heap.gcdump" >/dev/null) && rm -f "$OPS_WORK/heap.gcdump"; }
touch_snapshot() { for p in "/tiles/poverty/5/9/16.mvt" "/v1/lookup?lat=-12.05&lon=-77.04" "/v1/dataset"; do curl -s -o /dev/null "$OPS_BASE$p"; done; }

(cd "$OPS_REPO" && dotnet tool restore >/dev/null)
touch_snapshot; full_gc; sleep "$settle"
rss0=$(ops_rss_kb); heap0=$(heap)
echo "after each: a full GC (dotnet-gcdump), then $settle s"
echo "reload 0 (start-up): VmRSS $((rss0 / 1024)) MiB, GC heap $heap0 MiB, GC committed $(committed) MiB"
rss_max=$rss0
for i in $(seq 1 "$count"); do
  ops_change_estimates "$((2000 + i))"
  outcome=$(ops_reload | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("outcome") or d.get("title"), d.get("version"), d.get("elapsedMs"), "ms")')
  touch_snapshot; full_gc; sleep "$settle"
  rss=$(ops_rss_kb)
  [ "$i" = 1 ] && rss1=$rss && rss1_max=$rss && rss1_min=$rss
  [ "$rss" -gt "$rss1_max" ] && rss1_max=$rss
  [ "$rss" -lt "$rss1_min" ] && rss1_min=$rss
  [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  echo "reload $i: $outcome; VmRSS $((rss / 1024)) MiB, GC heap $(heap) MiB, GC committed $(committed) MiB"
done
python3 -c "import sys; f, l, m = map(int, sys.argv[1:]); print(f'against start-up: VmRSS last/first {l / f:.3f}, largest/first {m / f:.3f} (issue 16 bound: within 10% of the first after a full GC)')" "$rss0" "$rss" "$rss_max"
python3 -c "import sys; f, l, lo, hi = map(int, sys.argv[1:]); print(f'against the first reload: last {l / f:.3f}, smallest {lo / f:.3f}, largest {hi / f:.3f}')" "$rss1" "$rss" "$rss1_min" "$rss1_max"
echo "load average after the run: $(ops_load)"
