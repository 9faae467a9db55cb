using System.Text.RegularExpressions;
using System.Text.Json;
using NetTopologySuite.Geometries;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Model;
using TileServer.Core.Search;
using TileServer.Core.Snapshots;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Snapshots;

/// <summary>The embedded sample loaded once with tiles to z6, and written to a snapshot file, for the tests below.</summary>
public sealed class SampleSnapshotFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public SampleSnapshotFixture()
    {
        Options = new DatasetOptions
        {
            Districts = Path.Combine(SampleMutant.SampleFolder, "districts.shp"),
            Estimates = Path.Combine(SampleMutant.SampleFolder, "estimates.csv"),
        };
        Tiles = new TilesOptions { MaxZoom = 6 };
        Loaded = DatasetLoader.Load(Options, Tiles, new Dictionary<string, object> { ["Lookup"] = new LookupSettings() });
        File = _folder.File("sample.tssnap");
        SnapshotFile.Write(Loaded, File, Sections());
    }

    public DatasetOptions Options { get; }

    public TilesOptions Tiles { get; }

    public DatasetSnapshot Loaded { get; }

    public string File { get; }

    /// <summary>The sections the version covers, as a host passes them (here the two Core ones and one answer section).</summary>
    public Dictionary<string, object> Sections(object? lookup = null) => new(StringComparer.Ordinal)
    {
        [DatasetOptions.SectionName] = Options,
        [TilesOptions.SectionName] = Tiles,
        ["Lookup"] = lookup ?? new LookupSettings(),
    };

    /// <summary>A copy of the file to break.</summary>
    public string Copy(string name)
    {
        var copy = _folder.File(name);
        System.IO.File.Copy(File, copy, overwrite: true);
        return copy;
    }

    public DatasetSnapshot Read(string path, object? lookup = null) => SnapshotFile.Read(path, Options, Tiles, Sections(lookup));

    public void Dispose() => _folder.Dispose();

    /// <summary>Stands for a host's answer options section.</summary>
    public sealed class LookupSettings
    {
        public double MaxSnapMetres { get; set; } = 500;
    }
}

public sealed class SnapshotFileTests(SampleSnapshotFixture sample) : IClassFixture<SampleSnapshotFixture>
{
    [Fact]
    public void Round_trip_keeps_every_unit_value_attribute_and_geometry_exactly()
    {
        var read = sample.Read(sample.File);

        Assert.Equal(sample.Loaded.Version, read.Version);
        foreach (var level in (AdminLevel[])[AdminLevel.Department, AdminLevel.Province, AdminLevel.District])
        {
            var (want, got) = (sample.Loaded.Layer(level), read.Layer(level));
            Assert.Equal(want.Columns, got.Columns);
            Assert.Equal(want.Units.Count, got.Units.Count);
            for (var u = 0; u < want.Units.Count; u++)
            {
                var (a, b) = (want.Units[u], got.Units[u]);
                Assert.Equal((a.Code, a.Name, a.ProvinceCode, a.DepartmentCode, a.HasEstimates, a.AreaKm2), (b.Code, b.Name, b.ProvinceCode, b.DepartmentCode, b.HasEstimates, b.AreaKm2));
                Assert.Equal(a.Values, b.Values);
                Assert.Equal(a.Attributes.ToArray(), b.Attributes.ToArray());
                Assert.True(a.Geometry.EqualsExact(b.Geometry), $"{level} {a.Code}: served geometry differs");
                Assert.True(a.SourceGeometry.EqualsExact(b.SourceGeometry), $"{level} {a.Code}: source geometry differs");
                Assert.Equal(a.Geometry.GeometryType, b.Geometry.GeometryType);
                Assert.Equal(a.Geometry.SRID, b.Geometry.SRID);
                Assert.Equal(sample.Loaded.LabelPoints.Of(level, u), read.LabelPoints.Of(level, u));
            }
        }
    }

    [Fact]
    public void Source_geometries_decoded_on_first_use_from_many_threads_are_one_exact_copy_each()
    {
        var read = sample.Read(sample.File);
        var districts = read.Districts.Units;
        var seen = new Geometry[8][];

        Parallel.For(0, seen.Length, t => seen[t] = [.. districts.Select(u => u.SourceGeometry)]);

        // The sample's cleaning moves some districts' outlines: their source geometry is stored apart (and deferred).
        Assert.Contains(sample.Loaded.Districts.Units, u => !u.SourceGeometry.EqualsExact(u.Geometry));

        for (var u = 0; u < districts.Count; u++)
        {
            var want = sample.Loaded.Districts.Units[u].SourceGeometry;
            Assert.True(want.EqualsExact(seen[0][u]), $"district {districts[u].Code}: source geometry differs");
            // Every thread, and every later read, sees the one geometry kept.
            Assert.All(seen, s => Assert.Same(districts[u].SourceGeometry, s[u]));
        }
    }

    [Fact]
    public void Round_trip_lookups_answer_as_the_built_index_on_a_dense_grid()
    {
        var read = sample.Read(sample.File);
        var box = new Envelope();
        foreach (var unit in sample.Loaded.Districts.Units)
        {
            box.ExpandToInclude(unit.Geometry.EnvelopeInternal);
        }

        for (var i = 0; i <= 120; i++)
        {
            for (var j = 0; j <= 120; j++)
            {
                var lon = box.MinX - 0.05 + ((box.Width + 0.1) * i / 120);
                var lat = box.MinY - 0.05 + ((box.Height + 0.1) * j / 120);
                Assert.Equal(sample.Loaded.Locator.Locate(lon, lat, 2000), read.Locator.Locate(lon, lat, 2000));
            }
        }

        // Every vertex of every district: the points on borders, where the predicate is hardest.
        foreach (var coordinate in sample.Loaded.Districts.Units.SelectMany(u => u.Geometry.Coordinates))
        {
            Assert.Equal(sample.Loaded.Locator.Locate(coordinate.X, coordinate.Y, 0), read.Locator.Locate(coordinate.X, coordinate.Y, 0));
        }
    }

    [Fact]
    public void Round_trip_serves_every_tile_byte_for_byte_with_the_same_tileset_info()
    {
        var read = sample.Read(sample.File);
        var (want, got) = (sample.Loaded.Tiles!, read.Tiles!);

        Assert.Equal(JsonSerializer.Serialize(want.Info), JsonSerializer.Serialize(got.Info));
        var ids = want.TileIds.ToHashSet();
        Assert.True(ids.SetEquals(got.TileIds));
        foreach (var id in ids)
        {
            Assert.True(want.TryGetTile(id, out var a));
            Assert.True(got.TryGetTile(id, out var b));
            Assert.Equal(a.Mvt.ToArray(), b.Mvt.ToArray());
            Assert.Equal(a.Gzip.ToArray(), b.Gzip.ToArray());
        }

        Assert.False(got.TryGetTile(new TileId(6, 0, 0), out _));
    }

    [Fact]
    public void Round_trip_keeps_the_load_report_and_adds_the_read_steps()
    {
        var read = sample.Read(sample.File);
        var (want, got) = (sample.Loaded.Report, read.Report);

        Assert.Equal(JsonSerializer.Serialize(want with { TimingsMs = new Dictionary<string, long>() }), JsonSerializer.Serialize(got with { TimingsMs = new Dictionary<string, long>() }));
        Assert.All(want.TimingsMs, step => Assert.Equal(step.Value, got.TimingsMs[step.Key]));
        Assert.Contains("readSnapshot", got.TimingsMs.Keys);
        Assert.Equal(sample.Loaded.Features.Collections.Count, read.Features.Collections.Count);
    }

    [Fact]
    public void Round_trip_serves_every_features_prepared_json_byte_for_byte()
    {
        var read = sample.Read(sample.File);

        Assert.Equal(sample.Loaded.Features.Collections.Count, read.Features.Collections.Count);
        for (var c = 0; c < read.Features.Collections.Count; c++)
        {
            var (want, got) = (sample.Loaded.Features.Collections[c], read.Features.Collections[c]);
            Assert.Equal((want.Id, want.Count, want.Extent), (got.Id, got.Count, got.Extent));
            for (var f = 0; f < want.Count; f++)
            {
                Assert.Equal(want.PropertiesJson(f).ToArray(), got.PropertiesJson(f).ToArray());
                Assert.Equal(want.GeometryJson(f).ToArray(), got.GeometryJson(f).ToArray());
                Assert.Equal(want.HeadJson(f).ToArray(), got.HeadJson(f).ToArray());
                for (var p = 0; p < want.Properties.Count; p++)
                {
                    Assert.Equal(want.Rank(p, f), got.Rank(p, f));
                }
            }
        }
    }

    [Fact]
    public void Round_trip_aggregates_as_the_built_aggregator_over_boxes_circles_and_polygons()
    {
        var read = sample.Read(sample.File);
        var (want, got) = (sample.Loaded.Aggregator, read.Aggregator);
        var box = new Envelope();
        foreach (var unit in sample.Loaded.Districts.Units)
        {
            box.ExpandToInclude(unit.Geometry.EnvelopeInternal);
        }

        Assert.Equal(want.RepairedDistricts, got.RepairedDistricts);
        Assert.Equal(want.Codes, got.Codes);
        for (var i = 0; i < 6; i++)
        {
            var (x, y) = (box.MinX + (box.Width * i / 6), box.MinY + (box.Height * i / 7));
            var (w, h) = (box.Width / 3, box.Height / 4);
            Assert.Equal(Json(want.AggregateBox(x, y, x + w, y + h, includeBreakdown: true)), Json(got.AggregateBox(x, y, x + w, y + h, includeBreakdown: true)));
            Assert.Equal(Json(want.AggregateCircle(x + w, y + h, 40, includeBreakdown: true)), Json(got.AggregateCircle(x + w, y + h, 40, includeBreakdown: true)));
            // A concave polygon: the overlay path, not the clips.
            var polygon = new GeometryFactory(new PrecisionModel(), 4326).CreatePolygon(
                [new(x, y), new(x + w, y), new(x + (w / 2), y + (h / 3)), new(x + w, y + h), new(x, y + h), new(x, y)]);
            Assert.Equal(Json(want.Aggregate(polygon, includeBreakdown: true)), Json(got.Aggregate(polygon, includeBreakdown: true)));
        }

        static string Json(object result) => JsonSerializer.Serialize(result);
    }

    [Fact]
    public void Round_trip_searches_as_the_built_index_for_every_name_and_its_pieces()
    {
        var read = sample.Read(sample.File);
        var queries = sample.Loaded.Departments.Units.Concat(sample.Loaded.Provinces.Units).Concat(sample.Loaded.Districts.Units)
            .Select(u => u.Name)
            .SelectMany(name => (string[])[name, name[..1], name[..Math.Min(3, name.Length)], name[(name.Length / 2)..], name.ToLowerInvariant()])
            .Concat(["ñ", "san josé", "zzzz", " "])
            .Distinct(StringComparer.Ordinal);
        Assert.Equal(sample.Loaded.Search.Count, read.Search.Count);
        var (want, got) = (new SearchHit[12], new SearchHit[12]);
        foreach (var query in queries)
        {
            var (a, b) = (sample.Loaded.Search.Search(query, want), read.Search.Search(query, got));
            Assert.Equal(want[..a], got[..b]);
        }
    }

    [Fact]
    public void Header_names_the_format_the_program_version_and_the_dataset_version()
    {
        var header = SnapshotFile.ReadHeader(sample.File);

        Assert.Equal("TileServer dataset snapshot", header.Format);
        Assert.Equal(SnapshotFile.FormatVersion, header.FormatVersion);
        Assert.Equal(SnapshotFile.ProgramVersion, header.ProgramVersion);
        Assert.Contains('+', header.ProgramVersion); // the informational version carries the commit
        Assert.Equal(sample.Loaded.Version, header.DatasetVersion);
        Assert.Equal(["Dataset", "Lookup", "Tiles"], header.OptionDigests.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("TSSNAP\r\n"u8.ToArray(), System.IO.File.ReadAllBytes(sample.File)[..8]);
    }

    [Fact]
    public void A_file_from_another_program_version_is_refused_naming_both_versions()
    {
        var other = sample.Copy("other-version.tssnap");
        SnapshotFile.WriteAs(sample.Loaded, other, sample.Sections(), "0.9.0+0123456789abcdef");

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.Equal(DataFileFault.Invalid, error.Fault);
        Assert.StartsWith(other + ": was written by TileServer 0.9.0+0123456789abcdef; this is TileServer " + SnapshotFile.ProgramVersion, error.Message, StringComparison.Ordinal);
        Assert.Contains("export-snapshot again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_snapshot_is_refused_by_its_magic()
    {
        var other = sample.Copy("wrong-magic.tssnap");
        using (var stream = System.IO.File.OpenWrite(other))
        {
            stream.Write("PK\x03\x04"u8);
        }

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.StartsWith(other + ": is not a TileServer snapshot", error.Message, StringComparison.Ordinal);
        Assert.Contains("504B0304", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_refused_saying_where_its_sections_end()
    {
        var other = sample.Copy("truncated.tssnap");
        var length = new FileInfo(other).Length;
        using (var stream = System.IO.File.OpenWrite(other))
        {
            stream.SetLength(length - 1000);
        }

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.Equal($"{other}: is truncated: it is {length - 1000} bytes but its sections end at byte {length}", error.Message);
    }

    [Fact]
    public void A_file_cut_inside_its_header_is_refused_as_truncated()
    {
        var other = sample.Copy("cut-header.tssnap");
        using (var stream = System.IO.File.OpenWrite(other))
        {
            stream.SetLength(40);
        }

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.StartsWith($"{other}: is truncated: 40 bytes, shorter than its ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_byte_in_a_section_is_refused_naming_the_section()
    {
        var other = sample.Copy("corrupt.tssnap");
        var bytes = System.IO.File.ReadAllBytes(other);
        bytes[^1] ^= 0x5A; // the last byte of the last section, the tiles
        System.IO.File.WriteAllBytes(other, bytes);

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.Equal($"{other}: section 'tiles' is corrupt (its checksum does not match)", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    [InlineData(-1)]
    public void A_corrupt_byte_in_the_lookup_index_read_straight_into_its_arrays_is_refused_naming_it(long at)
    {
        var other = sample.Copy($"corrupt-locator{at}.tssnap");
        var (offset, length) = SnapshotFile.SectionRange(other, "locator");
        var bytes = System.IO.File.ReadAllBytes(other);
        bytes[offset + (at >= 0 ? at : length - 1)] ^= 0x10; // a bound of the grid, the first array's count (after 6 doubles and 3 ints), the last ordinate
        System.IO.File.WriteAllBytes(other, bytes);

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        // A changed count is found while reading (the section cannot hold it); any other change by the checksum.
        Assert.Matches($"^{Regex.Escape(other)}: section 'locator' is (corrupt \\(its checksum does not match\\)|damaged at byte [0-9]+: .+)$", error.Message);
    }

    [Fact]
    public void A_corrupt_header_is_refused()
    {
        var other = sample.Copy("corrupt-header.tssnap");
        var bytes = System.IO.File.ReadAllBytes(other);
        bytes[20] ^= 0x01; // inside the format's name
        System.IO.File.WriteAllBytes(other, bytes);

        var error = Assert.Throws<DataFileException>(() => sample.Read(other));

        Assert.Equal($"{other}: the snapshot header is damaged (its checksum does not match)", error.Message);
    }

    [Fact]
    public void A_file_exported_under_other_answer_options_is_refused_naming_the_section()
    {
        var error = Assert.Throws<DataFileException>(() => sample.Read(sample.File, new SampleSnapshotFixture.LookupSettings { MaxSnapMetres = 100 }));

        Assert.StartsWith($"{sample.File}: was exported with other Lookup options than configured here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        var missing = Path.Combine(Path.GetDirectoryName(sample.File)!, "absent.tssnap");

        var error = Assert.Throws<DataFileException>(() => sample.Read(missing));

        Assert.Equal(DataFileFault.NotFound, error.Fault);
        Assert.Equal($"{missing}: no such snapshot file (Dataset:Snapshot)", error.Message);
    }
}
