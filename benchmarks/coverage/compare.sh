#!/usr/bin/env bash
# Times `mapshaper -clean` and the project's CoverageCleaner on the same Peru layer, in one run, on this machine.
# Usage: bash benchmarks/coverage/compare.sh [path/to/districts.shp]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shp="${1:-$repo/../shared/geodata/peru/districts.shp}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

(cd "$here" && npm ci --no-audit --no-fund --silent)
mapshaper="$here/node_modules/.bin/mapshaper"
"$mapshaper" -v

echo "== mapshaper -clean (3 runs, wall time) =="
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$mapshaper" -i "$shp" -clean -o "$out/clean.shp" force > "$out/mapshaper.log" 2>&1
  end=$(date +%s.%N)
  echo "run $run: $(echo "$end - $start" | bc) s"
done
cat "$out/mapshaper.log"

echo "== TileServer CoverageCleaner (BenchmarkDotNet, same machine, same run) =="
cd "$repo"
dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*CoverageCleaningBenchmarks*' \
  --artifacts "$out/bdn" | grep -E '^\|' || true
