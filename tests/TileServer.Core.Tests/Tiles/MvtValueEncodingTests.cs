using System.Globalization;
using System.Text;
using TileServer.Core.Dataset;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

/// <summary>
/// Attribute values as the README states them ("integers as <c>sint</c>, others as <c>double</c>", text in labels),
/// read back with NetTopologySuite.IO.VectorTiles.Mapbox's reader from tiles built by the loader: negative integers
/// (the zigzag of <c>sint</c>), varint length boundaries, large integers, fractions, zero and text.
/// </summary>
public sealed class MvtValueEncodingTests : IDisposable
{
    /// <summary>Per district (the four squares of <see cref="SmallLayers.FourSquares"/>) the value of every column.</summary>
    private static readonly (string Column, double[] Values)[] Columns =
    [
        ("small", [-1, 1, -64, 63]),
        ("varint", [-65, 64, -8193, 8192]),
        ("large", [-1_234_567_890_123, 9_007_199_254_740_991, -9_007_199_254_740_991, 0]),
        ("fraction", [-3.25, 36.52, 0.1, -1e-9]),
    ];

    private readonly TempFolder _temp = new();
    private readonly DatasetSnapshot _snapshot;

    public MvtValueEncodingTests()
    {
        var csv = new StringBuilder("ubigeo,poblacion," + string.Join(",", Columns.Select(c => c.Column)) + "\n");
        var squares = SmallLayers.FourSquares();
        for (var d = 0; d < squares.Count; d++)
        {
            csv.Append(squares[d].Code).Append(",1000");
            foreach (var (_, values) in Columns)
            {
                csv.Append(',').Append(values[d].ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        _snapshot = DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = SmallLayers.WriteShapefile(_temp.Path, squares),
                Estimates = SmallLayers.WriteCsv(_temp.Path, csv.ToString()),
                DerivedCounts = "",
            },
            new TilesOptions { MaxZoom = 5 });
    }

    public void Dispose() => _temp.Dispose();

    private IReadOnlyList<NetTopologySuite.Features.IFeature> DistrictsAtZoom5()
    {
        var tiles = _snapshot.Tiles!;
        var features = new List<NetTopologySuite.Features.IFeature>();
        for (var x = 0; x < 32; x++)
        {
            for (var y = 0; y < 32; y++)
            {
                var id = new TileId(5, x, y);
                if (tiles.TryGetTile(id, out var tile))
                {
                    features.AddRange(TileDecoding.Decode(id, tile.Mvt).Layer("districts"));
                }
            }
        }

        return features;
    }

    [Fact]
    public void Negative_and_positive_integers_decode_as_sint_values_equal_to_those_written()
    {
        var features = DistrictsAtZoom5();
        var squares = SmallLayers.FourSquares();

        Assert.Equal(4, features.Select(f => f.Attributes["code"]).Distinct().Count());
        foreach (var feature in features)
        {
            var d = squares.Select(s => s.Code).ToList().IndexOf((string)feature.Attributes["code"]);
            foreach (var (column, values) in Columns.Where(c => c.Column != "fraction"))
            {
                var decoded = feature.Attributes[column];
                Assert.IsType<long>(decoded);
                Assert.Equal((long)values[d], (long)decoded);
            }
        }
    }

    [Fact]
    public void Every_value_type_written_decodes_with_the_reference_reader_fractions_as_doubles_and_text_as_strings()
    {
        var features = DistrictsAtZoom5();
        var squares = SmallLayers.FourSquares();
        foreach (var feature in features)
        {
            var d = squares.Select(s => s.Code).ToList().IndexOf((string)feature.Attributes["code"]);
            var fraction = Assert.IsType<double>(feature.Attributes["fraction"]);
            Assert.Equal(Columns.Single(c => c.Column == "fraction").Values[d], fraction);
            Assert.Equal(squares[d].Name, Assert.IsType<string>(feature.Attributes["name"]));
            Assert.Equal(squares[d].Code[..4], Assert.IsType<string>(feature.Attributes["province"]));
            Assert.Equal(1000L, Assert.IsType<long>(feature.Attributes["poblacion"]));
        }
    }
}
