#!/usr/bin/env bash
# The whole districts layer as one GeoJSON FeatureCollection, end to end on this machine: TileServer
# (GET /collections/districts/items?limit=10000, curl) against PostGIS building the same FeatureCollection with
# ST_AsGeoJSON and json_agg (psql), from a table loaded with the same features (TileServer's own GeoJSON: the cleaned
# geometry and every property, typed from /collections/districts/schema). Interleaved rounds, medians, the ratio.
# Then, in the same run: a filtered page (limit=100, a CQL2 filter on an estimate) and the GeoPackage of all districts,
# each beside its PostGIS counterpart where there is one. A benchmark: never run in CI or tests.
# Usage: bash benchmarks/features-postgis/compare.sh [rounds]      (default 11, after one warm-up of each)
# Environment: TILESERVER_PERU_DATA (default ../shared/geodata/peru), PGPORT (default 55433), PORT (TileServer,
# default 8093), PG_VERSION / POSTGIS_VERSION (see benchmarks/postgis/cluster.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
peru="${TILESERVER_PERU_DATA:-$repo/../shared/geodata/peru}"
rounds="${1:-11}"
port="${PORT:-8093}"
base="http://127.0.0.1:$port"

source "$repo/benchmarks/postgis/cluster.sh"
postgis_cluster_start "${PGPORT:-55433}"
now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# 1. TileServer on Peru (Release build, as served in production).
dotnet build -c Release "$repo/src/TileServer" -v quiet -nologo > /dev/null
Logging__LogLevel__Default=Warning "$repo/src/TileServer/bin/Release/net10.0/TileServer" \
  --Dataset:Districts="$peru/districts.shp" --Dataset:Estimates="$peru/poverty.csv" --urls="$base" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; postgis_cluster_stop' EXIT
until curl -sf "$base/health/ready" > /dev/null; do sleep 0.5; done
whole="$base/collections/districts/items?limit=10000"

# 2. PostGIS: a table of the features TileServer serves, one typed column per property.
echo "== load =="
curl -s "$whole" > "$work/ours.json"
curl -s "$base/collections/districts/schema" > "$work/schema.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
features = json.load(open(f"{work}/ours.json"))["features"]
with open(f"{work}/features.txt", "w") as out:
    for feature in features:
        out.write(json.dumps(feature, ensure_ascii=False) + "\n")
types = {"string": "text", "number": "double precision", "integer": "bigint", "boolean": "boolean"}
columns = [f"""(f->'properties'->>'{name}')::{types[p['type']]} AS "{name}\"""" for name, p in json.load(open(f"{work}/schema.json"))["properties"].items() if "type" in p]
open(f"{work}/load.sql", "w").write(
    "CREATE TABLE raw (f jsonb);\n"
    f"\\copy raw FROM '{work}/features.txt' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')\n"
    "CREATE TABLE districts AS SELECT f->>'id' AS id, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) AS geom, "
    + ", ".join(columns) + " FROM raw;\n"
    "CREATE INDEX ON districts (code); CREATE INDEX ON districts USING gist (geom); ANALYZE districts;\n")
PY
chmod -R a+rX "$work"
"${psql[@]}" -v ON_ERROR_STOP=1 -f "$work/load.sql"
echo "districts in PostGIS: $("${psql[@]}" -At -c "SELECT count(*) || ' features, ' || sum(ST_NPoints(geom)) || ' vertices' FROM districts")"

# The same FeatureCollection from PostGIS: every property, geometry with 7 decimals (TileServer's), in code order.
cat > "$work/whole.sql" <<'SQL'
SELECT json_build_object('type', 'FeatureCollection', 'numberMatched', count(*), 'numberReturned', count(*),
  'features', json_agg(ST_AsGeoJSON(t.*, 'geom', 7)::json ORDER BY t.code)) FROM districts t;
SQL
filter="pobreza_pct > 40 AND department <> '15'"
cat > "$work/page.sql" <<SQL
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*, 'geom', 7)::json ORDER BY t.code))
FROM (SELECT * FROM districts WHERE $filter ORDER BY code LIMIT 100) t;
SQL
page="$base/collections/districts/items?limit=100&filter=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$filter")"
gpkg="$base/collections/districts/items?f=gpkg"

ms() { echo $((($(now) - $1) / 1000000)); }
time_postgis() { local start; start=$(now); "${psql[@]}" -At -f "$1" > "$2"; ms "$start"; }
time_curl() { curl -s -o "$2" -w '%{time_total}\n' "$1" | awk '{ printf "%d\n", $1 * 1000 + 0.5 }'; }
time_curl_us() { curl -s -o /dev/null -w '%{time_total}\n' "$1" | awk '{ printf "%d\n", $1 * 1000000 + 0.5 }'; }

# 3. Warm-up of each (JIT, caches), then interleaved rounds.
time_postgis "$work/whole.sql" "$work/postgis.json" > /dev/null
time_curl "$whole" "$work/ours.json" > /dev/null
time_curl "$gpkg" "$work/ours.gpkg" > /dev/null
for i in 1 2 3; do time_curl_us "$page" > /dev/null; time_postgis "$work/page.sql" "$work/postgis-page.json" > /dev/null; done
echo "== $rounds interleaved rounds, load average $(cut -d' ' -f1-3 /proc/loadavg) =="
for ((r = 1; r <= rounds; r++)); do
  time_postgis "$work/whole.sql" "$work/postgis.json" >> "$work/t.postgis"
  time_curl "$whole" "$work/ours.json" >> "$work/t.ours"
  time_postgis "$work/page.sql" "$work/postgis-page.json" >> "$work/t.postgis-page"
  for i in 1 2 3 4 5; do time_curl_us "$page" >> "$work/t.ours-page"; done
  time_curl "$gpkg" "$work/ours.gpkg" >> "$work/t.ours-gpkg"
done
echo "bytes: TileServer $(stat -c %s "$work/ours.json"), PostGIS $(stat -c %s "$work/postgis.json"); features: TileServer $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["features"]))' "$work/ours.json"), PostGIS $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["features"]))' "$work/postgis.json")"
echo "GeoPackage: $(stat -c %s "$work/ours.gpkg") bytes; filtered page: $(curl -s "$page" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["numberReturned"], "of", d["numberMatched"], "features")')"
for s in postgis ours postgis-page ours-gpkg; do echo "$s (ms): $(tr '\n' ' ' < "$work/t.$s")"; done
echo "ours-page (us): $(tr '\n' ' ' < "$work/t.ours-page")"
p=$(median < "$work/t.postgis"); o=$(median < "$work/t.ours")
echo "== medians ($rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)) =="
echo "| what | TileServer | PostGIS | PostGIS / TileServer |"
echo "| --- | --- | --- | --- |"
awk -v p="$p" -v o="$o" 'BEGIN { printf "| whole districts layer, GeoJSON (1,891 features) | %d ms | %d ms | %.1fx |\n", o, p, p / (o > 0 ? o : 1) }'
awk -v o="$(median < "$work/t.ours-page")" -v p="$(median < "$work/t.postgis-page")" 'BEGIN { printf "| filtered page (limit=100, CQL2 on pobreza_pct), curl time_total | %.2f ms | %d ms (psql) | |\n", o / 1000, p }'
echo "| GeoPackage of all districts (f=gpkg), curl time_total | $(median < "$work/t.ours-gpkg") ms | | |"
