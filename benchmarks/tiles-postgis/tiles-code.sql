-- The standard tile query (pg_tileserv / Martin / PostGIS docs), geometry + the `code` string attribute, for the
-- tiles n with n % :parts = :part; one row per tile: z, x, y, MVT bytes (0: no feature, ST_AsMVT of no rows).
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
    SELECT d.code, ST_AsMVTGeom(d.geom, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
    FROM districts d
    WHERE d.geom && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)
  ) q
) m
WHERE t.n % :parts = :part;
