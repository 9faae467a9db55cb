#!/usr/bin/env bash
# Bytes allocated per request on the hot paths (a tile, a single lookup), this checkout against another one (e.g. main
# exported with `git archive main | tar -x -C DIR`): both Release builds serve the embedded sample side by side; for
# each path and server, a 5 s wrk warm-up, then dotnet-counters sums the runtime's dotnet.gc.heap.total_allocated over
# a 10 s wrk run, divided by the requests wrk made. Kestrel and routing allocate per request too: the figure to read is
# the difference between the two builds. Installs dotnet-counters (NuGet) into a scratch folder when it is missing.
# Usage: benchmarks/load/alloc-ab.sh BASELINE_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
baseline="$(cd "${1:?usage: alloc-ab.sh BASELINE_DIR}" && pwd)"
base_port="${PORT:-8089}"
work="$(mktemp -d)"
if ! command -v dotnet-counters >/dev/null; then
  dotnet tool install dotnet-counters --tool-path "$work/tools" >/dev/null
  PATH="$work/tools:$PATH"
fi

declare -A dir=([baseline]="$baseline" [this]="$repo") port=([baseline]=$((base_port + 1)) [this]=$((base_port + 2))) pid=()
trap 'kill ${pid[*]} 2>/dev/null || true; rm -rf "$work"' EXIT
for name in baseline this; do
  dotnet build -c Release "${dir[$name]}/src/TileServer" -v quiet -nologo >/dev/null
  (cd "${dir[$name]}/src/TileServer/bin/Release/net10.0" && exec env Logging__LogLevel__Default=Warning ./TileServer \
    --urls="http://127.0.0.1:${port[$name]}" > "$work/$name.log" 2>&1) &
  pid[$name]=$!
done
for name in baseline this; do
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:${port[$name]}/health/ready" >/dev/null && break; sleep 1; done
done

# A point inside the sample's first district: the mean of its outer ring's vertices (the sample's districts are convex).
code=$(sed -n 2p "$repo/geodata/sample/estimates.csv" | cut -d, -f1)
point=$(curl -sf "http://127.0.0.1:${port[this]}/v1/districts/$code" | python3 -c '
import json, sys
g = json.load(sys.stdin)["geometry"]
ring = g["coordinates"][0] if g["type"] == "Polygon" else g["coordinates"][0][0]
print(f"lat={sum(p[1] for p in ring) / len(ring)}&lon={sum(p[0] for p in ring) / len(ring)}")')

for path in "/tiles/poverty/0/0/0.mvt" "/v1/lookup?$point"; do
  for name in baseline this; do
    url="http://127.0.0.1:${port[$name]}$path"
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" == 200 ]] || { echo "$name: $path does not answer 200"; exit 1; }
    wrk -t2 -c32 -d5s -H "Accept-Encoding: gzip" "$url" >/dev/null
    dotnet-counters collect -p "${pid[$name]}" --counters System.Runtime --format csv -o "$work/$name.csv" \
      --refresh-interval 1 --duration 00:00:14 >/dev/null 2>&1 &
    collector=$!
    sleep 2
    requests=$(wrk -t2 -c32 -d10s -H "Accept-Encoding: gzip" "$url" | awk '/requests in/ {print $1}')
    wait $collector
    python3 - "$name" "$path" "$requests" "$work/$name.csv" <<'PY'
import csv, sys
name, path, requests, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), csv.reader(open(sys.argv[4]))
total = sum(float(r[-1]) for r in rows if len(r) > 3 and "total_allocated" in r[2])
print(f"{name} {path}: {requests} requests, {total / requests:.1f} bytes allocated per request")
PY
  done
done
