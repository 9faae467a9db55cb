-- As tiles-code.sql, but geometry + an integer feature id only (ST_AsMVT's feature_id_name): the id is the
-- district code as an integer, as TileServer writes it with Tiles:Attributes=false.
\set ON_ERROR_STOP on
\pset format unaligned
\pset fieldsep ','
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SELECT t.z, t.x, t.y, coalesce(length(m.mvt), 0)
FROM tiles t
CROSS JOIN LATERAL (
  SELECT ST_AsMVT(q, 'districts', 4096, 'geom', 'id') AS mvt
  FROM (
    SELECT d.id, ST_AsMVTGeom(d.geom, ST_TileEnvelope(t.z, t.x, t.y), 4096, 64, true) AS geom
    FROM districts d
    WHERE d.geom && ST_TileEnvelope(t.z, t.x, t.y, margin => 64.0 / 4096)
  ) q
) m
WHERE t.n % :parts = :part;
