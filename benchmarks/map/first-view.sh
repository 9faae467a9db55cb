#!/usr/bin/env bash
# First view of the web map (MapLibre `idle`) in headless Chromium with software WebGL, on Peru (the embedded sample
# when ../shared/geodata/peru is absent). Builds the server in Release, starts it, waits until it is ready, loads the
# page once to warm the server, then runs first-view.mjs (a new browser per run) and stops the server.
# usage: bash benchmarks/map/first-view.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-7}"
port=5790
peru=../shared/geodata/peru

(cd benchmarks/map && npm ci --no-audit --no-fund --loglevel=error)
dotnet build -c Release src/TileServer -v quiet -nologo >/dev/null
data=()
if [ -d "$peru" ]; then
  data=(--Dataset:Districts="$PWD/$peru/districts.shp" --Dataset:Estimates="$PWD/$peru/poverty.csv")
fi

src/TileServer/bin/Release/net10.0/TileServer --urls="http://127.0.0.1:$port" "${data[@]}" >/tmp/first-view-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 1
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); chromium $(chromium --version 2>/dev/null | awk '{print $2}')"
node benchmarks/map/first-view.mjs "http://127.0.0.1:$port/" 1 >/dev/null
node benchmarks/map/first-view.mjs "http://127.0.0.1:$port/" "$runs"
node benchmarks/map/first-view.mjs "http://127.0.0.1:$port/" "$runs" 390 844 | sed 's/^/phone 390x844: /'
