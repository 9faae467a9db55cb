#!/usr/bin/env bash
# Tile serving, side by side with TileServer GL: exports Peru's tileset to MBTiles with `export-tiles`, serves it with
# tileserver-gl-light (npm, pinned in tileserver-gl/package-lock.json) and serves the same tiles from this server's
# memory, then loads each in turn with the same wrk script (2 threads, 64 connections, loopback, every non-empty tile,
# Accept-Encoding: gzip), 10 s warm-up then the measured run.
# Usage: benchmarks/load/tiles-vs-tileserver-gl.sh [duration, default 30s]   (needs wrk, node and npm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
duration="${1:-30s}"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$here/tileserver-gl" && npm ci --no-audit --no-fund >/dev/null && npm rebuild sqlite3 >/dev/null)
dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/benchmarks/TileServer.Benchmarks" -v quiet -nologo >/dev/null
server="$repo/src/TileServer/bin/Release/net10.0/TileServer"
dataset=(--Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv")

dotnet run -c Release --no-build --project "$repo/benchmarks/TileServer.Benchmarks" -- tile-list > "$work/tiles.txt"
echo "non-empty tiles: $(wc -l < "$work/tiles.txt")"
"$server" export-tiles --mbtiles "$work/poverty.mbtiles" "${dataset[@]}"

load() { # name, base url, prefix, suffix
  until curl -sf -o /dev/null "$2$3$(head -1 "$work/tiles.txt")$4"; do sleep 0.5; done
  TILES_LIST="$work/tiles.txt" TILES_PREFIX="$3" TILES_SUFFIX="$4" wrk -t2 -c64 -d10s -s "$here/tiles.lua" "$2" >/dev/null
  echo "== $1"
  TILES_LIST="$work/tiles.txt" TILES_PREFIX="$3" TILES_SUFFIX="$4" wrk -t2 -c64 -d"$duration" --latency -s "$here/tiles.lua" "$2" \
    | grep -E 'Requests/sec|tiles cycled'
}

# A config file rather than --mbtiles: the latter also looks for its bundled styles in a nested node_modules folder
# that npm hoists away, and exits.
cat > "$work/config.json" <<JSON
{ "options": { "paths": { "root": "$work", "mbtiles": "$work" } }, "styles": {}, "data": { "poverty": { "mbtiles": "poverty.mbtiles" } } }
JSON
"$here/tileserver-gl/node_modules/.bin/tileserver-gl" -c "$work/config.json" --port 8091 > "$work/tsgl.log" 2>&1 &
pids+=($!)
load "tileserver-gl-light (MBTiles)" http://127.0.0.1:8091 /data/poverty/ .pbf
kill "${pids[-1]}"

Logging__LogLevel__Default=Warning "$server" "${dataset[@]}" --urls=http://127.0.0.1:8092 > "$work/server.log" 2>&1 &
pids+=($!)
load "TileServer (in memory)" http://127.0.0.1:8092 /tiles/poverty/ .mvt
