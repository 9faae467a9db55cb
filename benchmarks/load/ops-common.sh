# Shared by the operations scripts (reload-under-load.sh, reload-memory.sh, shutdown-under-load.sh, slowloris.sh,
# fairness.sh, request-log-cost.sh, prometheus-scrape.sh): build the Release server, start it on a copy of Peru's
# files, wait until ready, make the request lists, and stop what was started on exit. Source it; needs curl, python3.
set -euo pipefail
OPS_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OPS_REPO="$(cd "$OPS_HERE/../.." && pwd)"
OPS_PERU="${TILESERVER_PERU_DATA:-$OPS_REPO/../shared/geodata/peru}"
OPS_WORK="$(mktemp -d)"
OPS_PIDS=()
OPS_TOKEN="ops-benchmark-token-$(date +%s)"
ops_cleanup() {
  for pid in "${OPS_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${OPS_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$OPS_WORK"
}
trap ops_cleanup EXIT

# SKIP_BUILD=1: use the Release build as it is (two scripts at once must not build the same project together).
ops_build() { [ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release "$OPS_REPO/src/TileServer" -v quiet -nologo >/dev/null; }

# A private copy of Peru's files (reloads change the CSV), never inside the repository.
ops_copy_peru() {
  mkdir -p "$OPS_WORK/data"
  cp "$OPS_PERU"/districts.{shp,shx,dbf,prj,cpg} "$OPS_PERU/poverty.csv" "$OPS_WORK/data/"
  chmod u+w "$OPS_WORK"/data/*
}

# ops_start PORT [extra arguments...]: starts the Release server on the copy; sets OPS_SERVER (pid), OPS_BASE.
ops_start() {
  local port=$1; shift
  OPS_BASE="http://127.0.0.1:$port"
  (cd "$OPS_REPO/src/TileServer/bin/Release/net10.0" && exec ./TileServer \
    --Dataset:Districts="$OPS_WORK/data/districts.shp" --Dataset:Estimates="$OPS_WORK/data/poverty.csv" \
    --urls="$OPS_BASE" --Admin:Token="$OPS_TOKEN" "$@") >"$OPS_WORK/server-$port.log" 2>&1 &
  OPS_SERVER=$!
  OPS_PIDS+=("$OPS_SERVER")
  local started; started=$(date +%s.%N)
  until curl -sf "$OPS_BASE/health/ready" >/dev/null; do
    kill -0 "$OPS_SERVER" 2>/dev/null || { echo "server exited:"; cat "$OPS_WORK/server-$port.log"; exit 1; }
    sleep 0.5
  done
  echo "server $OPS_BASE ready after $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s, version $(ops_version)"
}

ops_stop() { kill "$OPS_SERVER" 2>/dev/null || true; wait "$OPS_SERVER" 2>/dev/null || true; }
ops_version() { curl -sf "$OPS_BASE/health/ready" | python3 -c 'import json,sys; print(json.load(sys.stdin)["datasetVersion"])'; }
ops_rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$OPS_SERVER/status"; }
ops_load() { cut -d' ' -f1-3 /proc/loadavg; }

# The runtime's figures from /metrics, one line: GC pause seconds, gen0 gen1 gen2 collections, process CPU seconds,
# thread-pool queue length and threads.
ops_runtime() {
  curl -s "$OPS_BASE/metrics" | awk '
    /^dotnet_gc_pause_time_seconds_total/ { pause = $NF }
    /^dotnet_gc_collections_total/ { if ($0 ~ /gen0/) g0 = $NF; else if ($0 ~ /gen1/) g1 = $NF; else g2 = $NF }
    /^dotnet_process_cpu_time_seconds_total/ { cpu += $NF }
    /^dotnet_thread_pool_queue_length/ { queue = $NF }
    /^dotnet_thread_pool_threads/ { threads = $NF }
    END { printf "%s %s %s %s %s %s %s\n", pause, g0, g1, g2, cpu, queue, threads }'
}

# ops_runtime_sample FILE: appends an ops_runtime line every 0.25 s until killed (run it in the background).
ops_runtime_sample() { while true; do ops_runtime >>"$1"; sleep 0.25; done; }

# ops_runtime_summary FILE: what the runtime did between the first and the last sample of FILE.
ops_runtime_summary() {
  awk 'NR == 1 { split($0, first) } { if ($6 > q) q = $6; if ($7 > t) t = $7; last = $0 }
    END { split(last, l); printf "runtime: GC pauses %.2f s in all (gen0 %d, gen1 %d, gen2 %d collections), process CPU %.1f s, thread-pool queue max %d, threads max %d\n",
      l[1] - first[1], l[2] - first[2], l[3] - first[3], l[4] - first[4], l[5] - first[5], q, t }' "$1"
}

# Changes one population in the CSV copy (written beside it and renamed into place: atomic) so that the version changes.
ops_change_estimates() {
  python3 - "$OPS_WORK/data/poverty.csv" "$1" <<'PY'
import sys, os
path, value = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
header = lines[0].split(",")
col = header.index("poblacion")
cells = lines[1].split(",")
cells[col] = value
lines[1] = ",".join(cells)
open(path + ".tmp", "w", encoding="utf-8").write("\n".join(lines))
os.replace(path + ".tmp", path)
PY
}

# POST /admin/reload; prints the JSON answer.
ops_reload() { curl -s -X POST -H "Authorization: Bearer $OPS_TOKEN" "$OPS_BASE/admin/reload"; }

# Request lists: every tile id over Peru's box at zooms 4-10 (some are empty: 204), and the populated places.
ops_make_lists() {
  python3 - >"$OPS_WORK/tiles.txt" <<'PY'
import math
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
for z in range(4, 11):
    x0, y0 = tile(-81.4, 0.0, z)
    x1, y1 = tile(-68.6, -18.4, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            print(f"{z}/{x}/{y}")
PY
  awk -F, 'NR > 1 { sub(/\r$/, ""); print $(NF-1), $NF }' "$OPS_PERU/populated_places.csv" >"$OPS_WORK/points.txt"
  export TILES_LIST="$OPS_WORK/tiles.txt" POINTS_FILE="$OPS_WORK/points.txt"
}
