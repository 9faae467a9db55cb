-- As tiles-code.sql, but geometry + every attribute of the shapefile (ubigeo, nombdep, nombprov, nombdist, capital,
-- regnat): not a fair comparison (TileServer's geometry-only run carries none of the names), only to show which
-- attributes the issue's PostGIS figures (2.17 MB for z0-z6, a 386 KB z4 tile) must have carried.
\set ON_ERROR_STOP on
\pset format unaligned
\pset fieldsep ','
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SELECT t.z, t.x, t.y, coalesce(length(m.mvt), 0)
FROM tiles t
CROSS JOIN LATERAL (
  SELECT ST_AsMVT(q, 'districts', 4096, 'geom') AS mvt
  FROM (
    SELECT d.code AS ubigeo, d.nombdep, d.nombprov, d.nombdist, d.capital, d.regnat,
           ST_AsMVTGeom(d.geom, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
    FROM districts d
    WHERE d.geom && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)
  ) q
) m
WHERE t.n % :parts = :part;
