#!/usr/bin/env bash
# PostGIS ST_AsMVT and TileServer side by side: the districts-only z0-z10 tiles of Peru (2,707 tiles of the bounding
# box), wall time and bytes, in one run on this machine. A benchmark: never run in CI or tests.
# Usage: bash benchmarks/tiles-postgis/compare.sh [runs]      (runs: timed runs of each, after one warm-up; default 5)
# Environment: TILESERVER_PERU_DATA (the Peru folder, default ../shared/geodata/peru; both sides read its districts.shp,
# as the other benchmarks do), PGPORT (default 55432),
# PG_VERSION / POSTGIS_VERSION (Debian package versions pinned; empty: whatever apt gives).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export TILESERVER_PERU_DATA="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
shp="$TILESERVER_PERU_DATA/districts.shp"
runs="${1:-5}"
port="${PGPORT:-55432}"
# 1. PostgreSQL 15 + PostGIS 3 from Debian, pinned, and a throwaway cluster (benchmarks/postgis/cluster.sh).
source "$repo/benchmarks/postgis/cluster.sh"
postgis_cluster_start "$port"

# 2. Load (shp2pgsql, EPSG:4326, UTF-8), transform to 3857 once, GiST index, the z0-z10 tile list.
echo "== load =="
shp2pgsql -s 4326 -W UTF-8 -D "$shp" districts_4326 2> /dev/null | "${psql[@]}" -v ON_ERROR_STOP=1 > /dev/null
"${psql[@]}" -f "$here/load.sql" 2>&1 | grep -v NOTICE
tiles=$("${psql[@]}" -At -c "SELECT count(*) FROM tiles")
[ "$tiles" -eq 2707 ] || echo "WARNING: $tiles tiles, the anchor had 2,707"

now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The variants' attributes (tiles.sql): the columns beside the geometry, and the feature id argument of ST_AsMVT.
# id: geometry + the district code as integer feature id, as TileServer writes it with Tiles:Attributes=false;
# code: geometry + the `code` string; shp: geometry + every shapefile attribute (code and five names), not a fair
# comparison, only there because it comes closest to the issue's figures (2.17 MB for z0-z6, a 386 KB z4 tile).
declare -A columns=([id]="d.id" [code]="d.code" [shp]="d.code AS ubigeo, d.nombdep, d.nombprov, d.nombdist, d.capital, d.regnat")
declare -A feature_id=([id]=", 'id'" [code]="" [shp]="")

# One run of a variant over `parts` connections (psql processes, tiles n % parts = part); the rows go to $work/$1.csv.
run_postgis() {
  local variant=$1 parts=$2 part pids=()
  for ((part = 0; part < parts; part++)); do
    "${psql[@]}" -v parts="$parts" -v part="$part" -v columns="${columns[$variant]}" -v id="${feature_id[$variant]}" \
      -f "$here/tiles.sql" > "$work/$variant.$part.csv" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$work/$variant".*.csv > "$work/$variant.csv"
  rm -f "$work/$variant".*.csv
  [ "$(wc -l < "$work/$variant.csv")" -eq "$tiles" ] || { echo "PostGIS run of $variant over $parts connection(s) failed"; exit 1; }
}

# 3. PostGIS warm-up: one run of each variant over 1 and 2 connections; the tiles' bytes per zoom.
declare -A pg_low pg_z4 ours_low ours_z4 median_ms
for variant in id code shp; do
  run_postgis "$variant" 2
  run_postgis "$variant" 1
  echo "== PostGIS, geometry + $variant =="
  echo "| zoom | tiles (non-empty) | MVT bytes | largest tile |"
  echo "| --- | --- | --- | --- |"
  awk -F, '{ n[$1]++; b[$1] += $4; if ($4 > 0) ne[$1]++; if ($4 > m[$1]) m[$1] = $4 }
    END { for (z = 0; z <= 10; z++) printf "| %d | %d (%d) | %d | %d |\n", z, n[z], ne[z], b[z], m[z] }' "$work/$variant.csv"
  pg_low[$variant]=$(awk -F, '$1 <= 6 { s += $4 } END { print s }' "$work/$variant.csv")
  pg_z4[$variant]=$(awk -F, '$1 == 4 && $4 > m { m = $4 } END { print m + 0 }' "$work/$variant.csv")
  echo "z0-z6: ${pg_low[$variant]} bytes; z4 tile: ${pg_z4[$variant]} bytes (anchor: 2.17 MB and 386 KB)"
done

# 4. TileServer: the same districts-only z0-z10 build in one process (Peru loaded once, each variant warmed up),
# geometry + id and geometry + code, one build per variant name written to it.
echo "== TileServer (DOTNET_TieredCompilation=0 DOTNET_gcServer=1 dotnet run -- tile-build-time serve) =="
cd "$repo"
dotnet build -c Release benchmarks/TileServer.Benchmarks -v q -nologo > "$work/build.log" || { cat "$work/build.log"; exit 1; }
# The runtime settings the server runs its build with (src/TileServer/TileServer.csproj: no tiered compilation;
# the Web SDK's server GC), not a console program's defaults.
coproc OURS { DOTNET_TieredCompilation=0 DOTNET_gcServer=1 dotnet run -c Release --no-build --project benchmarks/TileServer.Benchmarks -- tile-build-time serve; }
ours_out=${OURS[0]} ours_in=${OURS[1]} ours_pid=$OURS_PID
while IFS= read -r line <&"$ours_out"; do
  echo "$line"
  case "$line" in
    "SIZES "*)
      set -- $line
      ours_low[$2]=${3#z0_z6_bytes=}
      ours_z4[$2]=${4#z4_largest_bytes=} ;;
    READY) break ;;
  esac
done
build_ours() {
  local line
  echo "$1" >&"$ours_in"
  while IFS= read -r line <&"$ours_out"; do
    case "$line" in
      "TIME $1 "*) echo "$line" >> "$work/ours-steps.txt"; set -- $line; echo "$3"; return ;;
      UNKNOWN*) echo "$line" >&2; exit 1 ;;
    esac
  done
  echo "tile-build-time ended early" >&2
  exit 1
}

# 5. Timed rounds, interleaved so that every series sees the same load on the shared cores: each round runs every
# PostGIS variant over 1 and 2 connections (wall clock, psql start included), then one TileServer build per variant.
echo "== $runs timed rounds, load average $(cut -d' ' -f1-3 /proc/loadavg) =="
series=(id.1 id.2 code.1 code.2 shp.1 shp.2 ours.id ours.code)
for ((r = 1; r <= runs; r++)); do
  for variant in id code shp; do
    for parts in 1 2; do
      start=$(now)
      run_postgis "$variant" "$parts"
      echo $((($(now) - start) / 1000000)) >> "$work/times.$variant.$parts"
    done
  done
  for variant in id code; do
    build_ours "$variant" >> "$work/times.ours.$variant"
  done
  echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
exec {ours_in}>&-
wait "$ours_pid" || true
for s in "${series[@]}"; do
  median_ms[$s]=$(median < "$work/times.$s")
  echo "$s: $(tr '\n' ' ' < "$work/times.$s")ms (median ${median_ms[$s]} ms)"
done

echo "TileServer's last builds (the simplification chain runs on its own thread beside clipping and encoding):"
tail -n 2 "$work/ours-steps.txt"

echo "== side by side ($runs interleaved rounds after a warm-up, medians; load average $(cut -d' ' -f1-3 /proc/loadavg)) =="
echo "Speed-up: PostGIS median / TileServer median (the issue's goal: at least 3). Sizes: MVT bytes, uncompressed."
echo "| variant | PostGIS 1 conn | PostGIS 2 conn | TileServer | speed-up vs 1 conn | vs 2 conn | z0-z6 PostGIS | z0-z6 TileServer | TileServer / PostGIS | z4 tile PostGIS / TileServer |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for variant in id code; do
  awk -v v="$variant" -v p1="${median_ms[$variant.1]}" -v p2="${median_ms[$variant.2]}" -v o="${median_ms[ours.$variant]}" \
      -v pl="${pg_low[$variant]}" -v ol="${ours_low[$variant]}" -v pz="${pg_z4[$variant]}" -v oz="${ours_z4[$variant]}" 'BEGIN {
    printf "| geometry + %s | %d ms | %d ms | %d ms | %.2fx | %.2fx | %.3f MB | %.3f MB | %.3f | %.0f KB / %.0f KB |\n",
      v, p1, p2, o, p1 / o, p2 / o, pl / 1e6, ol / 1e6, ol / pl, pz / 1000, oz / 1000 }'
done
echo "(PostGIS geometry + every shapefile attribute: ${median_ms[shp.1]} ms, ${median_ms[shp.2]} ms; z0-z6 $(awk -v b="${pg_low[shp]}" 'BEGIN { printf "%.3f", b / 1e6 }') MB, z4 ${pg_z4[shp]} bytes)"
