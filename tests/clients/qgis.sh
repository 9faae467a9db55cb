#!/usr/bin/env bash
# QGIS 3.22 headless against TileServer on Peru (or the sample when ../shared is absent): each layer through the
# OAPIF provider, its feature count, the features read, and a subset filter (qgis_check.py); then the vector tiles
# with /styles/poverty.json through QGIS's MapLibre style import, rendered to qgis-style.png (qgis_style.py).
# Run by hand (QGIS is ~800 MB):
#   apt-get install -y python3-qgis qgis-providers
#   bash tests/clients/qgis.sh            (PORT: default 8094; OUT: the render, default ./qgis-style.png)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
port="${PORT:-8094}"
args=(--urls="http://127.0.0.1:$port")
if [ -d "$peru" ]; then
  args+=(--Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv")
fi
dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo > /dev/null
Logging__LogLevel__Default=Warning "$repo/src/TileServer/bin/Release/net10.0/TileServer" "${args[@]}" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do sleep 0.5; done
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_check.py" "http://127.0.0.1:$port/"
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_style.py" "http://127.0.0.1:$port/" "${OUT:-$PWD/qgis-style.png}"
