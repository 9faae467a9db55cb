#!/usr/bin/env bash
# Load test of the OGC API door on Peru: items pages of 10 districts without geometry (random offsets) with wrk
# (2 threads, 64 connections, loopback), and in the same run, as a baseline of what this machine serves right now,
# GET /health/live (the cheapest endpoint). Each after a warm-up of the same length; then the server's memory.
# Usage: bash benchmarks/load/features.sh [duration, default 30s]      (needs wrk: apt-get install -y wrk)
# Environment: TILESERVER_PERU_DATA (default ../shared/geodata/peru), PORT (default 8095).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
port="${PORT:-8095}"
duration="${1:-30s}"
base="http://127.0.0.1:$port"

dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo > /dev/null
Logging__LogLevel__Default=Warning "$repo/src/TileServer/bin/Release/net10.0/TileServer" \
  --Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv" --urls="$base" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "$base/health/ready" > /dev/null; do sleep 0.5; done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$repo" rev-parse --short HEAD)"
# The page's first bytes, to show what is measured (head closes the pipe early: curl's write error is expected).
curl -s "$base/collections/districts/items?limit=10&skipGeometry=true&offset=500" | head -c 300 || true; echo

for target in items live; do
  if [ "$target" = items ]; then args=(-s "$here/features.lua" "$base"); else args=("$base/health/live"); fi
  wrk -t2 -c64 -d"$duration" "${args[@]}" > /dev/null
  echo "== $target: load average $(cut -d' ' -f1-3 /proc/loadavg) =="
  wrk -t2 -c64 -d"$duration" --latency "${args[@]}" | tee "/tmp/features-wrk-$target.$$"
done
items=$(awk '/^Requests\/sec/ { print $2 }' "/tmp/features-wrk-items.$$")
live=$(awk '/^Requests\/sec/ { print $2 }' "/tmp/features-wrk-live.$$")
rm -f /tmp/features-wrk-*.$$
echo "== items (limit=10, no geometry): $items req/s; /health/live baseline: $live req/s; items / live: $(awk -v a="$items" -v b="$live" 'BEGIN { printf "%.2f", a / b }') =="
grep -E 'VmRSS|VmHWM' "/proc/$server/status"
