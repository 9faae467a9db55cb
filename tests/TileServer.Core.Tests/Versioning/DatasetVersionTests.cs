using System.Text;
using System.Text.Json.Nodes;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;
using TileServer.Core.Versioning;

namespace TileServer.Core.Tests.Versioning;

public sealed class DatasetVersionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_canonical_document_orders_keys_at_every_level_and_keeps_array_order()
    {
        var document = JsonNode.Parse("""{ "b": 1.5, "a": { "d": [2, 1, {"z": true, "y": null}], "c": "é" } }""")!;

        var canonical = Encoding.UTF8.GetString(DatasetVersion.Canonical(document));

        Assert.Equal("""{"a":{"c":"\u00E9","d":[2,1,{"y":null,"z":true}]},"b":1.5}""", canonical);
    }

    [Fact]
    public void The_version_is_16_hex_digits_and_the_same_for_the_same_bytes_and_options_whatever_the_order_or_the_folder()
    {
        var first = Write("one/estimates.csv", "ubigeo,x\n010101,1\n");
        var second = Write("other folder/renamed.csv", "ubigeo,x\n010101,1\n");

        var a = DatasetVersion.Compute([Role(first)], [Section("Tiles", new TilesOptions()), Section("Shape", new Shape())]);
        var b = DatasetVersion.Compute([Role(second)], [Section("Shape", new Shape()), Section("Tiles", new TilesOptions())]);

        Assert.Matches("^[0-9a-f]{16}$", a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Changing_a_file_byte_or_any_option_not_marked_changes_the_version()
    {
        var file = Write("estimates.csv", "ubigeo,x\n010101,1\n");
        var baseline = DatasetVersion.Compute([Role(file)], [Section("Shape", new Shape())]);

        var versions = new[]
        {
            DatasetVersion.Compute([Role(Write("changed.csv", "ubigeo,x\n010101,2\n"))], [Section("Shape", new Shape())]),
            DatasetVersion.Compute([Role(file)], [Section("Shape", new Shape { Tolerance = 16.5 })]),
            DatasetVersion.Compute([Role(file)], [Section("Shape", new Shape { Handling = Handling.Reject })]),
            DatasetVersion.Compute([Role(file)], [Section("Shape", new Shape { Layer = new TileLayerOptions { MinZoom = 1 } })]),
            DatasetVersion.Compute([Role(file)], [Section("Other", new Shape())]),
            DatasetVersion.Compute([KeyValuePair.Create("Dataset:Districts.csv", file)], [Section("Shape", new Shape())]),
        };

        Assert.DoesNotContain(baseline, versions);
        Assert.Equal(versions.Length, versions.Distinct().Count());
    }

    [Fact]
    public void Options_marked_not_in_version_leave_it_alone()
    {
        var file = Write("estimates.csv", "ubigeo,x\n010101,1\n");

        var baseline = DatasetVersion.Compute([Role(file)], [Section("Shape", new Shape()), Section("Tiles", new TilesOptions())]);
        var changed = DatasetVersion.Compute(
            [Role(file)],
            [Section("Shape", new Shape { Limit = 7, Path = "/elsewhere" }), Section("Tiles", new TilesOptions { CacheControl = "no-store", Source = "/x.pmtiles" })]);

        Assert.Equal(baseline, changed);
    }

    private string Write(string name, string content)
    {
        var path = _folder.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private static KeyValuePair<string, string> Role(string path) => KeyValuePair.Create("Dataset:Estimates.csv", path);

    private static KeyValuePair<string, object> Section(string name, object options) => KeyValuePair.Create(name, options);

    public enum Handling
    {
        Repair,
        Reject,
    }

    /// <summary>An options section with every kind of value: number, enum, nested object, and two left out.</summary>
    public sealed class Shape
    {
        public double Tolerance { get; set; } = 16;

        public Handling Handling { get; set; }

        public TileLayerOptions Layer { get; set; } = new();

        [NotInVersion("a limit")]
        public int Limit { get; set; } = 100;

        [NotInVersion("a path")]
        public string Path { get; set; } = "/here";
    }
}
