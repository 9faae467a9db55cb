using Microsoft.Data.Sqlite;
using NetTopologySuite.IO;

namespace TileServer.Core.Features;

/// <summary>
/// Writes features to a GeoPackage 1.2 file (OGC 12-128r15): the required <c>gpkg_spatial_ref_sys</c> (with the
/// three required rows and the output CRS), <c>gpkg_contents</c> and <c>gpkg_geometry_columns</c> tables, and one
/// feature table named after the collection: <c>fid</c>, a <c>MULTIPOLYGON</c> <c>geom</c> (GeoPackage binary from NTS
/// <see cref="GeoPackageGeoWriter"/>), then one typed column per property (TEXT, REAL, INTEGER, BOOLEAN). SQLite via
/// Microsoft.Data.Sqlite, all rows in one transaction with one prepared statement.
/// </summary>
/// <remarks>
/// NetTopologySuite.IO.GeoPackage only encodes geometries; the container tables are written here. No R-tree index is
/// written (optional in the standard; QGIS and GDAL build their own when needed). Thread safety: stateless; each call
/// writes its own file.
/// </remarks>
public static class GeoPackageFeatureWriter
{
    /// <summary>Writes the features of <paramref name="features"/> (all properties) to a new file at <paramref name="path"/>.</summary>
    public static void Write(string path, FeatureQuery query, IReadOnlyList<int> features)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(features);
        var set = query.Set;
        var crs = query.Crs;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA application_id = 1196444487; PRAGMA user_version = 10200; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
        using var transaction = connection.BeginTransaction();
        Execute(connection, """
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
              description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
            """);
        Insert(connection, "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, $wkt, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
            ("$wkt", FeatureCrs.Crs84.Wkt));
        if (crs.Srid != 4326)
        {
            Insert(connection, "INSERT INTO gpkg_spatial_ref_sys VALUES ($name, $srid, 'EPSG', $srid, $wkt, NULL)",
                ("$name", crs.Curie), ("$srid", crs.Srid), ("$wkt", crs.Wkt));
        }

        var table = set.Id;
        var columns = set.Properties.Select(p => $"{Quote(p.Name)} {SqlType(p.Type)}");
        Execute(connection, $"CREATE TABLE {Quote(table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON, {string.Join(", ", columns)})");

        var mapper = FeatureOutput.Mapper(crs);
        var extent = new NetTopologySuite.Geometries.Envelope();
        var writer = new GeoPackageGeoWriter();
        using (var insert = connection.CreateCommand())
        {
            var parameterNames = set.Properties.Select((_, i) => $"$p{i}").ToArray();
            insert.CommandText = $"INSERT INTO {Quote(table)} (geom, {string.Join(", ", set.Properties.Select(p => Quote(p.Name)))}) VALUES ($geom, {string.Join(", ", parameterNames)})";
            var geom = insert.Parameters.Add("$geom", SqliteType.Blob);
            var values = parameterNames.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
            insert.Prepare();
            foreach (var feature in features)
            {
                var geometry = FeatureOutput.InCrs(query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature), crs, mapper, true);
                extent.ExpandToInclude(geometry.EnvelopeInternal);
                geom.Value = writer.Write(geometry);
                for (var p = 0; p < values.Length; p++)
                {
                    var value = set.Value(p, feature);
                    values[p].SqliteType = value switch
                    {
                        double when set.Properties[p].Type == FeaturePropertyType.Integer => SqliteType.Integer,
                        double => SqliteType.Real,
                        bool => SqliteType.Integer,
                        _ => SqliteType.Text,
                    };
                    values[p].Value = value switch
                    {
                        null => DBNull.Value,
                        double d when set.Properties[p].Type == FeaturePropertyType.Integer => (long)d,
                        bool b => b ? 1 : 0,
                        _ => value,
                    };
                }

                insert.ExecuteNonQuery();
            }
        }

        Insert(connection, "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES ($t, 'features', $t, $d, $x0, $y0, $x1, $y1, $srid)",
            ("$t", table), ("$d", set.Description), ("$x0", extent.IsNull ? 0 : extent.MinX), ("$y0", extent.IsNull ? 0 : extent.MinY),
            ("$x1", extent.IsNull ? 0 : extent.MaxX), ("$y1", extent.IsNull ? 0 : extent.MaxY), ("$srid", crs.Srid));
        Insert(connection, "INSERT INTO gpkg_geometry_columns VALUES ($t, 'geom', 'MULTIPOLYGON', $srid, 0, 0)", ("$t", table), ("$srid", crs.Srid));
        transaction.Commit();
    }

    private static string SqlType(FeaturePropertyType type) => type switch
    {
        FeaturePropertyType.Number => "REAL",
        FeaturePropertyType.Integer => "INTEGER",
        FeaturePropertyType.Boolean => "BOOLEAN",
        _ => "TEXT",
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Insert(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
