using System.Collections.Concurrent;
using System.Globalization;
using NetTopologySuite.Geometries;
using TileServer.Core.Model;

namespace TileServer.Core.Tiles;

/// <summary>One administrative level as a tile layer: its units' attributes, ids and label points.</summary>
internal sealed class TileLevel
{
    /// <summary>The name of the layer of label points.</summary>
    public const string LabelsLayerName = "labels";

    private static readonly string[] LayerNames = ["departments", "provinces", "districts"];
    private static readonly string[] LevelNames = ["department", "province", "district"];

    /// <summary>Keys of the labels layer's features.</summary>
    public static IReadOnlyList<string> LabelKeys { get; } = ["level", "code", "name"];

    public required int Index { get; init; }

    public required AdminLayer Layer { get; init; }

    public required TileLayerOptions Options { get; init; }

    public required string[] Keys { get; init; }

    public required FeatureProperty[][] Properties { get; init; }

    public required FeatureProperty[][] LabelProperties { get; init; }

    public required ulong?[] Ids { get; init; }

    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    private (double X, double Y)[] _labels = [];

    // Remembered because tiles built on request look up the anchors of the units around them again and again.
    private readonly ConcurrentDictionary<int, (double X, double Y)> _anchors = new();

    /// <summary>The tile layer's name (<c>departments</c>, <c>provinces</c> or <c>districts</c>).</summary>
    public string LayerName => LayerNames[Index];

    /// <summary>The level's name in the labels layer and the TileJSON (<c>department</c>, ...).</summary>
    public string LevelName => LevelNames[Index];

    /// <summary>Units with a label point: all of the layer's when the labels layer is on, else none.</summary>
    public int LabelCount => _labels.Length;

    public static TileLevel Create(AdminLayer layer, int index, TileLayerOptions layerOptions, TilesOptions options)
    {
        var keys = new List<string> { "code", "name" };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["code"] = "String", ["name"] = "String" };
        if (!options.Attributes)
        {
            keys.RemoveAt(1);
            fields.Remove("name");
        }
        else if (index == (int)AdminLevel.District)
        {
            keys.Add("province");
            fields["province"] = "String";
        }

        if (options.Attributes && index != (int)AdminLevel.Department)
        {
            keys.Add("department");
            fields["department"] = "String";
        }

        var columns = new List<(int Column, int Key)>();
        for (var c = 0; c < (options.Attributes ? layer.Columns.Count : 0); c++)
        {
            if (layer.Columns[c].Kind == ColumnKind.Number && !keys.Contains(layer.Columns[c].Name, StringComparer.Ordinal))
            {
                columns.Add((c, keys.Count));
                keys.Add(layer.Columns[c].Name);
                fields[layer.Columns[c].Name] = "Number";
            }
        }

        var properties = new FeatureProperty[layer.Units.Count][];
        var labels = new FeatureProperty[layer.Units.Count][];
        var ids = new ulong?[layer.Units.Count];
        for (var u = 0; u < layer.Units.Count; u++)
        {
            var unit = layer.Units[u];
            ids[u] = ulong.TryParse(unit.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
            var list = new List<FeatureProperty>();
            if (options.Attributes || ids[u] is null)
            {
                list.Add(new(0, unit.Code, 0));
            }

            if (options.Attributes)
            {
                list.Add(new(1, unit.Name, 0));
            }

            if (options.Attributes && index == (int)AdminLevel.District && unit.ProvinceCode is { } province)
            {
                list.Add(new(keys.IndexOf("province"), province, 0));
            }

            if (options.Attributes && index != (int)AdminLevel.Department && unit.DepartmentCode is { } department)
            {
                list.Add(new(keys.IndexOf("department"), department, 0));
            }

            foreach (var (column, key) in columns)
            {
                if (column < unit.Values.Count && unit.Values[column] is double value && double.IsFinite(value))
                {
                    list.Add(new(key, null, value));
                }
            }

            properties[u] = [.. list];
            labels[u] = [new(0, LevelNames[index], 0), new(1, unit.Code, 0), new(2, unit.Name, 0)];
        }

        return new TileLevel
        {
            Index = index,
            Layer = layer,
            Options = new TileLayerOptions { Enabled = layerOptions.Enabled, MinZoom = layerOptions.MinZoom, MaxZoom = Math.Min(layerOptions.MaxZoom, options.MaxZoom) },
            Keys = [.. keys],
            Properties = properties,
            LabelProperties = labels,
            Ids = ids,
            Fields = fields,
        };
    }

    /// <summary>Takes every unit's label point (the labels layer is on) from the snapshot's <see cref="LabelPoints"/>, in Web Mercator metres.</summary>
    public void ProjectLabelPoints(ReadOnlySpan<LonLat> points)
    {
        _labels = new (double X, double Y)[Options.Enabled ? Layer.Units.Count : 0];
        for (var u = 0; u < _labels.Length; u++)
        {
            _labels[u] = (WebMercator.X(points[u].Lon), WebMercator.Y(points[u].Lat));
        }
    }

    /// <summary>The unit's label point in Web Mercator metres.</summary>
    public (double X, double Y) Label(int unit) => _labels[unit];

    /// <summary>
    /// Where the unit's square goes when it collapses: NTS InteriorPoint, in Web Mercator metres (computed once per unit). Any point inside
    /// will do for a square smaller than a pixel, and the pole of inaccessibility cost more than all the other
    /// work of the coarse zooms.
    /// </summary>
    public (double X, double Y) Anchor(int unit) => _anchors.GetOrAdd(unit, static (u, layer) =>
    {
        var geometry = layer.Units[u].Geometry;
        return ToMercator(geometry.IsEmpty ? new Coordinate(0, 0) : geometry.InteriorPoint.Coordinate);
    }, Layer);

    private static (double X, double Y) ToMercator(Coordinate point) => (WebMercator.X(point.X), WebMercator.Y(point.Y));
}
