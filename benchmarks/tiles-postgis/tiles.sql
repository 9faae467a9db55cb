-- The standard tile query (pg_tileserv / Martin / PostGIS docs) for the tiles n with n % :parts = :part; one row per
-- tile: z, x, y, MVT bytes (0: no feature, ST_AsMVT of no rows). The variant's attributes come from compare.sh:
-- :columns, the select list beside the geometry, and :id, the ST_AsMVT arguments after 'geom' (empty, or ", 'id'"
-- to write column id as the feature id).
\set ON_ERROR_STOP on
\pset format unaligned
\pset fieldsep ','
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SELECT t.z, t.x, t.y, coalesce(length(m.mvt), 0)
FROM tiles t
CROSS JOIN LATERAL (
  SELECT ST_AsMVT(q, 'districts', 4096, 'geom' :id) AS mvt
  FROM (
    SELECT :columns, ST_AsMVTGeom(d.geom, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
    FROM districts d
    WHERE d.geom && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)
  ) q
) m
WHERE t.n % :parts = :part;
