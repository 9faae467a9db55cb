using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;
using TileServer.Core.Versioning;

namespace TileServer.Core.Tests.Versioning;

public sealed class DatasetVersionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_options_object_is_written_as_JSON_with_keys_in_ordinal_order_at_every_level()
    {
        var canonical = DatasetVersion.Canonical(new Unordered());

        Assert.Equal("""{"A":{"Handling":"Reject","Layer":{"Enabled":true,"MaxZoom":12,"MinZoom":3},"Tolerance":0.1},"Names":["b","a\"\\\u000a"],"b":1.5,"c":"é"}""", canonical);
    }

    /// <summary>A map of options (Dataset:ColumnDescriptions) is an object with its keys in ordinal order, whatever
    /// the order they were added in; a changed value changes the version.</summary>
    [Fact]
    public void A_dictionary_is_written_as_an_object_with_ordinal_keys()
    {
        var one = new Dictionary<string, ColumnDescription>(StringComparer.OrdinalIgnoreCase)
        {
            ["pobreza_pct"] = new() { Title = "Poverty", Unit = "%" },
            ["idh"] = new() { Title = "HDI" },
        };
        var other = new Dictionary<string, ColumnDescription>(StringComparer.OrdinalIgnoreCase)
        {
            ["idh"] = new() { Title = "HDI" },
            ["pobreza_pct"] = new() { Title = "Poverty", Unit = "%" },
        };

        Assert.Equal("""{"idh":{"Description":null,"Title":"HDI","Unit":null},"pobreza_pct":{"Description":null,"Title":"Poverty","Unit":"%"}}""",
            DatasetVersion.Canonical(one));
        Assert.Equal(DatasetVersion.Canonical(one), DatasetVersion.Canonical(other));
        other["idh"].Title = "Human development index";
        Assert.NotEqual(DatasetVersion.Compute([], [Section("Dataset", one)]), DatasetVersion.Compute([], [Section("Dataset", other)]));
    }

    /// <summary>The dataset options as bound by default (with their column descriptions) can enter the version.</summary>
    [Fact]
    public void The_default_dataset_options_enter_the_version()
    {
        Assert.Matches("^[0-9a-f]{16}$", DatasetVersion.Compute([], [Section("Dataset", new DatasetOptions())]));
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

    /// <summary>Declared out of order, with a list, escapes and a nested object holding marked properties.</summary>
    public sealed class Unordered
    {
        public string c { get; set; } = "é";

        public double b { get; set; } = 1.5;

        public IList<string> Names { get; } = ["b", "a\"\\\n"];

        public Shape A { get; set; } = new() { Tolerance = 0.1, Handling = Handling.Reject, Layer = new TileLayerOptions { MinZoom = 3 } };
    }

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
