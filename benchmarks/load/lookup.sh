#!/usr/bin/env bash
# HTTP benchmark of issue 4's lookups against a running server on Peru:
#  1. GET /v1/lookup at random populated places: wrk -t2 -c64 (loopback), after a warm-up run of the same length;
#  2. POST /v1/lookup with all 94,922 populated places, JSON ({"points": [[lon, lat], ...]}) and CSV (the register
#     file as is), end to end with curl (upload, lookups, download), 5 runs each after one warm-up; the median.
#
#   dotnet build -c Release src/TileServer
#   src/TileServer/bin/Release/net10.0/TileServer \
#     --Dataset:Districts=$PWD/../shared/geodata/peru/districts.shp \
#     --Dataset:Estimates=$PWD/../shared/geodata/peru/poverty.csv --urls=http://127.0.0.1:8080 &
#   benchmarks/load/lookup.sh [base-url] [seconds] [populated_places.csv]
#
# Needs wrk (apt-get install -y wrk), curl and awk.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BASE=${1:-http://127.0.0.1:8080}
DURATION=${2:-20}
PLACES=${3:-$HERE/../../../shared/geodata/peru/populated_places.csv}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

until curl -sf "$BASE/health/ready" >/dev/null; do sleep 1; done
echo "server $BASE, $(curl -sf "$BASE/health/ready")"

# lat and lon are the last two columns (names may hold quoted commas).
awk -F, 'NR > 1 { sub(/\r$/, ""); print $(NF-1), $NF }' "$PLACES" >"$WORK/points.txt"
echo "$(wc -l <"$WORK/points.txt") places"

export POINTS_FILE="$WORK/points.txt"
wrk -t2 -c64 -d"${DURATION}s" -s "$HERE/lookup.lua" "$BASE" >/dev/null
wrk -t2 -c64 -d"${DURATION}s" --latency -s "$HERE/lookup.lua" "$BASE" | grep -E '^lookup:|Latency|99%'

awk -F, 'BEGIN { printf "{\"points\":[" } NR > 1 { sub(/\r$/, ""); printf "%s[%s,%s]", (NR > 2 ? "," : ""), $NF, $(NF-1) } END { print "]}" }' "$PLACES" >"$WORK/batch.json"

batch() { # content-type, body file, output file
  local times=()
  curl -s -o "$3" -H "Content-Type: $1" --data-binary "@$2" "$BASE/v1/lookup"
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o "$3" -w '%{time_total}' -H "Content-Type: $1" --data-binary "@$2" "$BASE/v1/lookup")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v what="$4" -v size="$(wc -c <"$2")" -v out="$(wc -c <"$3")" \
    '{ t[NR] = $1 } END { printf "%s: median %.0f ms (min %.0f, max %.0f) over 5 runs, request %d bytes, response %d bytes\n", what, t[3] * 1000, t[1] * 1000, t[5] * 1000, size, out }'
}

batch application/json "$WORK/batch.json" "$WORK/out.json" "batch JSON, all places"
echo "  results: $(grep -o '"match"' "$WORK/out.json" | wc -l) districts, $(grep -oE '(\[|,)null' "$WORK/out.json" | wc -l) null"
batch text/csv "$PLACES" "$WORK/out.csv" "batch CSV, all places"
echo "  rows: $(($(wc -l <"$WORK/out.csv") - 1))"
