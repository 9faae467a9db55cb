#!/usr/bin/env bash
# Serves Peru with every tile in memory and loads it with wrk (2 threads, 64 connections, loopback), cycling over all
# non-empty tiles; then prints the server's resident memory (VmRSS).
# Usage: benchmarks/load/tiles.sh [duration, default 30s]   (needs wrk: apt-get install -y wrk)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
port="${PORT:-8089}"
duration="${1:-30s}"
work="$(mktemp -d)"

dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/benchmarks/TileServer.Benchmarks" -v quiet -nologo >/dev/null
# The same deterministic build as the server's, listed by the benchmark project.
dotnet run -c Release --no-build --project "$repo/benchmarks/TileServer.Benchmarks" -- tile-list > "$work/tiles.txt"
echo "non-empty tiles: $(wc -l < "$work/tiles.txt")"

Logging__LogLevel__Default=Warning "$repo/src/TileServer/bin/Release/net10.0/TileServer" \
  --Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv" \
  --urls="http://127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
started=$(date +%s.%N)
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.5; done
echo "ready after $(echo "$(date +%s.%N) - $started" | bc) s"
curl -s "http://127.0.0.1:$port/v1/dataset" | python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["tiles"]; print("tiles:", t["tiles"], "mvtBytes:", t["mvtBytes"], "gzipBytes:", t["gzipBytes"], "built in", t["elapsedMs"], "ms; timingsMs:", d["timingsMs"])'
grep VmRSS "/proc/$server/status" | sed 's/^/after load, /'

# Warm-up (tiered JIT, connection pools), not measured.
TILES_LIST="$work/tiles.txt" wrk -t2 -c64 -d10s -s "$here/tiles.lua" "http://127.0.0.1:$port" >/dev/null
TILES_LIST="$work/tiles.txt" wrk -t2 -c64 -d"$duration" --latency -s "$here/tiles.lua" "http://127.0.0.1:$port"
grep -E 'VmRSS|VmHWM' "/proc/$server/status" | sed 's/^/after wrk, /'
