-- After shp2pgsql loaded districts.shp into districts_4326 (EPSG:4326): the usual pg_tileserv / Martin setup,
-- geometry transformed to Web Mercator once, GiST index, statistics; then the tile list of Peru's bounding box.
\set ON_ERROR_STOP on

DROP TABLE IF EXISTS districts;
CREATE TABLE districts AS
SELECT ubigeo::text AS code,
       ubigeo::integer AS id,
       nombdep, nombprov, nombdist, capital, regnat,
       ST_Transform(geom, 3857)::geometry(MultiPolygon, 3857) AS geom
FROM districts_4326;
CREATE INDEX districts_geom ON districts USING gist (geom);
VACUUM ANALYZE districts;

-- Every z0-z10 tile that meets Peru's bounding box (what TileServer's DistrictsOnly run and the anchor enumerate,
-- empty ocean tiles included): the corner tiles computed as WebMercator.TileAt does, from the 4326 extent.
DROP TABLE IF EXISTS tiles;
CREATE TABLE tiles AS
WITH box AS (
  SELECT ST_XMin(e) AS west, ST_XMax(e) AS east, ST_YMin(e) AS south, ST_YMax(e) AS north
  FROM (SELECT ST_Extent(geom)::box2d AS e FROM districts_4326) s
), corner AS (
  SELECT z,
         floor((ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(west, north), 4326), 3857)) + 20037508.342789244)
               / (40075016.685578488 / 2 ^ z))::int AS x0,
         floor((20037508.342789244 - ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(west, north), 4326), 3857)))
               / (40075016.685578488 / 2 ^ z))::int AS y0,
         floor((ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(east, south), 4326), 3857)) + 20037508.342789244)
               / (40075016.685578488 / 2 ^ z))::int AS x1,
         floor((20037508.342789244 - ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(east, south), 4326), 3857)))
               / (40075016.685578488 / 2 ^ z))::int AS y1
  FROM box, generate_series(0, 10) AS z
)
SELECT row_number() OVER (ORDER BY z, x, y) AS n, z, x, y
FROM corner, generate_series(x0, x1) AS x, generate_series(y0, y1) AS y;
ANALYZE tiles;

SELECT count(*) AS tiles FROM tiles;
SELECT z, count(*) AS tiles, min(x) AS x0, max(x) AS x1, min(y) AS y0, max(y) AS y1 FROM tiles GROUP BY z ORDER BY z;
