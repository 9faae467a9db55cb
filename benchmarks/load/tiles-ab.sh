#!/usr/bin/env bash
# Tile serving, this checkout against another one (e.g. main exported with `git archive main | tar -x -C DIR`), on
# the same machine at the same time: builds both in Release, serves Peru from both side by side, warms each up for
# 10 s, then alternates wrk runs between them in ABBA order (2 threads, 64 connections, tiles.lua over every non-empty
# tile) and prints each run and the medians. On a shared, noisy machine this cancels drift that one-after-the-other
# runs of tiles.sh do not.
# Usage: benchmarks/load/tiles-ab.sh BASELINE_DIR [rounds, default 10] [duration per run, default 10s]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
baseline="$(cd "${1:?usage: tiles-ab.sh BASELINE_DIR [rounds] [duration]}" && pwd)"
rounds="${2:-10}"
duration="${3:-10s}"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
base_port="${PORT:-8089}"
work="$(mktemp -d)"

declare -A dir=([baseline]="$baseline" [this]="$repo") port=([baseline]=$((base_port + 1)) [this]=$((base_port + 2))) pid=()
for name in baseline this; do
  dotnet build -c Release "${dir[$name]}/src/TileServer" -v quiet -nologo >/dev/null
done
dotnet build -c Release "$repo/benchmarks/TileServer.Benchmarks" -v quiet -nologo >/dev/null
dotnet run -c Release --no-build --project "$repo/benchmarks/TileServer.Benchmarks" -- tile-list > "$work/tiles.txt"
trap 'kill ${pid[*]} 2>/dev/null || true; rm -rf "$work"' EXIT
for name in baseline this; do
  Logging__LogLevel__Default=Warning "${dir[$name]}/src/TileServer/bin/Release/net10.0/TileServer" \
    --Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv" \
    --urls="http://127.0.0.1:${port[$name]}" > "$work/$name.log" 2>&1 &
  pid[$name]=$!
done
for name in baseline this; do
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:${port[$name]}/health/ready" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:${port[$name]}/health/ready" >/dev/null || { echo "$name did not get ready:"; cat "$work/$name.log"; exit 1; }
  TILES_LIST="$work/tiles.txt" wrk -t2 -c64 -d10s -s "$here/tiles.lua" "http://127.0.0.1:${port[$name]}" >/dev/null
done

for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order="baseline this"; else order="this baseline"; fi
  for name in $order; do
    result=$(TILES_LIST="$work/tiles.txt" wrk -t2 -c64 -d"$duration" --latency -s "$here/tiles.lua" "http://127.0.0.1:${port[$name]}")
    rps=$(grep 'Requests/sec' <<< "$result" | awk '{print $2}')
    echo "round $round $name $rps req/s; $(grep 'tiles cycled' <<< "$result")" | tee -a "$work/runs.txt"
  done
done
for name in baseline this; do
  median=$(grep " $name " "$work/runs.txt" | awk '{print $4}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')
  echo "$name: median $median req/s over $rounds runs"
done
