using System.Buffers;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Model;

namespace TileServer.Core.Features;

/// <summary>The JSON Schema type of a feature property.</summary>
public enum FeaturePropertyType
{
    String,
    Number,
    Integer,
    Boolean,
}

/// <summary>A feature property (and queryable): name, type, title, and for estimates their unit and meaning.</summary>
public sealed record FeatureProperty(string Name, FeaturePropertyType Type, string Title, string? Description = null, string? Unit = null);

/// <summary>
/// One OGC API collection (<c>districts</c>, <c>provinces</c> or <c>departments</c>) as the features door serves it,
/// built once per dataset snapshot: the flattened properties of every unit in code order (column-major values), the
/// served (cleaned) and source geometries, an STR-tree over the served geometries' envelopes, per-property sort ranks,
/// and each feature's properties and CRS84 geometry already serialized as GeoJSON, so that the common answers copy
/// bytes instead of serializing.
/// </summary>
/// <remarks>
/// Memory: for Peru's 1,891 districts about 6 MB of geometry JSON and 1 MB of property JSON; the three levels together
/// about 12 MB. Thread safety: immutable after <see cref="Build"/>; the STR-tree is built eagerly, so queries only read.
/// </remarks>
public sealed class FeatureSet
{
    private readonly object?[][] _columns;
    private readonly int[][] _ranks;
    private readonly Dictionary<string, int> _propertyIndex;
    private readonly Dictionary<string, int> _codeIndex;
    private readonly STRtree<int> _index;
    private readonly ReadOnlyMemory<byte>[] _propertiesJson;
    private readonly ReadOnlyMemory<byte>[] _geometryJson;
    private readonly ReadOnlyMemory<byte>[] _headJson;
    private readonly Geometry[] _geometries;
    private readonly AdminUnit[] _units;
    private readonly string[] _codes;

    private FeatureSet(string id, AdminLevel level, string title, string description, IReadOnlyList<FeatureProperty> properties,
        object?[][] columns, string[] codes, Geometry[] geometries, AdminUnit[] units, PreparedFeatures? stored)
    {
        Id = id;
        Level = level;
        Title = title;
        Description = description;
        Properties = properties;
        _columns = columns;
        _codes = codes;
        _geometries = geometries;
        _units = units;
        _propertyIndex = properties.Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _codeIndex = codes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        _index = new STRtree<int>();
        var extent = new Envelope();
        for (var i = 0; i < geometries.Length; i++)
        {
            _index.Insert(geometries[i].EnvelopeInternal, i);
            extent.ExpandToInclude(geometries[i].EnvelopeInternal);
        }

        _index.Build();
        Extent = extent;
        if (stored is not null)
        {
            if (stored.Properties.Length != codes.Length || stored.Geometry.Length != codes.Length || stored.Head.Length != codes.Length
                || stored.Ranks.Length != properties.Count || stored.Ranks.Any(r => r.Length != codes.Length))
            {
                throw new InvalidDataException($"the {id} collection's stored JSON and ranks are not those of its {codes.Length} features and {properties.Count} properties");
            }

            (_propertiesJson, _geometryJson, _headJson, _ranks) = (stored.Properties, stored.Geometry, stored.Head, stored.Ranks);
            return;
        }

        _ranks = [.. Enumerable.Range(0, properties.Count).Select(Ranks)];

        _propertiesJson = new ReadOnlyMemory<byte>[codes.Length];
        _geometryJson = new ReadOnlyMemory<byte>[codes.Length];
        _headJson = new ReadOnlyMemory<byte>[codes.Length];
        var buffer = new ArrayBufferWriter<byte>();
        var identity = FeatureCrs.Crs84.FromLonLat();
        for (var i = 0; i < codes.Length; i++)
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, GeoJsonGeometry.WriterOptions))
            {
                WriteProperties(json, i, null);
            }

            _propertiesJson[i] = buffer.WrittenSpan.ToArray();
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, GeoJsonGeometry.WriterOptions))
            {
                GeoJsonGeometry.Write(json, geometries[i], identity, FeatureCrs.Crs84.Decimals);
            }

            _geometryJson[i] = buffer.WrittenSpan.ToArray();
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, GeoJsonGeometry.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("type", "Feature");
                json.WriteString("id", codes[i]);
                json.Flush();
            }

            _headJson[i] = buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>The collection id: <c>districts</c>, <c>provinces</c> or <c>departments</c>.</summary>
    public string Id { get; }

    public AdminLevel Level { get; }

    public string Title { get; }

    public string Description { get; }

    /// <summary>The properties of every feature, in output order: code, name, parents, area, estimates, version.</summary>
    public IReadOnlyList<FeatureProperty> Properties { get; }

    public int Count => _codes.Length;

    /// <summary>The bounding box of the served geometries, lon/lat.</summary>
    public Envelope Extent { get; }

    /// <summary>The feature id (the unit's code) of feature <paramref name="feature"/>; features are in code order.</summary>
    public string Code(int feature) => _codes[feature];

    /// <summary>The index of the feature whose id is <paramref name="code"/>, or -1.</summary>
    public int IndexOf(string code) => _codeIndex.GetValueOrDefault(code, -1);

    /// <summary>The index of the property named <paramref name="name"/> (case-sensitive, as CQL2 says), or -1.</summary>
    public int PropertyIndex(string name) => _propertyIndex.GetValueOrDefault(name, -1);

    /// <summary>A property value: <see cref="string"/>, <see cref="double"/>, <see cref="bool"/> or null (missing).</summary>
    public object? Value(int property, int feature) => _columns[property][feature];

    /// <summary>Sort rank of a feature's value of a property: equal values share a rank; null ranks last (<see cref="int.MaxValue"/>).</summary>
    public int Rank(int property, int feature) => _ranks[property][feature];

    /// <summary>The served geometry (cleaned, when the coverage is cleaned at load), lon/lat.</summary>
    public Geometry Geometry(int feature) => _geometries[feature];

    /// <summary>The geometry as published in the source layer (districts; the served one for dissolved levels).</summary>
    public Geometry SourceGeometry(int feature) => _units[feature].SourceGeometry;

    /// <summary>The feature's full properties object, UTF-8 JSON.</summary>
    public ReadOnlySpan<byte> PropertiesJson(int feature) => _propertiesJson[feature].Span;

    /// <summary>The start of the feature's GeoJSON object, <c>{"type":"Feature","id":"..."</c> (no closing brace), UTF-8.</summary>
    public ReadOnlySpan<byte> HeadJson(int feature) => _headJson[feature].Span;

    /// <summary>The served geometry as a GeoJSON geometry object in CRS84, UTF-8 JSON.</summary>
    public ReadOnlySpan<byte> GeometryJson(int feature) => _geometryJson[feature].Span;

    /// <summary>The prepared JSON of every feature and the ranks of every property, as a snapshot file stores them.</summary>
    internal PreparedFeatures Prepared => new(_propertiesJson, _geometryJson, _headJson, _ranks);

    /// <summary>
    /// Marks in <paramref name="matches"/> the features whose served geometry intersects <paramref name="area"/> (lon/lat):
    /// candidates from the STR-tree by envelope, then the exact predicate against <paramref name="area"/> prepared once.
    /// </summary>
    public void Intersecting(Geometry area, bool[] matches)
    {
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(matches);
        var prepared = PreparedGeometryFactory.Prepare(area);
        foreach (var candidate in _index.Query(area.EnvelopeInternal))
        {
            if (prepared.Intersects(_geometries[candidate]))
            {
                matches[candidate] = true;
            }
        }
    }

    /// <summary>Writes feature <paramref name="feature"/>'s properties object, all of them or those in <paramref name="selection"/>.</summary>
    public void WriteProperties(Utf8JsonWriter json, int feature, IReadOnlyList<int>? selection)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        var count = selection?.Count ?? Properties.Count;
        for (var k = 0; k < count; k++)
        {
            var p = selection is null ? k : selection[k];
            var name = Properties[p].Name;
            switch (_columns[p][feature])
            {
                case string text:
                    json.WriteString(name, text);
                    break;
                case double number:
                    json.WriteNumber(name, number);
                    break;
                case bool flag:
                    json.WriteBoolean(name, flag);
                    break;
                default:
                    json.WriteNull(name);
                    break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Builds the collection of <paramref name="layer"/>'s units; parents' names come from the coarser layers.</summary>
    public static FeatureSet Build(AdminLayer layer, AdminLayer provinces, AdminLayer departments, ColumnRoles roles,
        IReadOnlyDictionary<string, ColumnDescription> descriptions, string version) =>
        BuildPrepared(layer, provinces, departments, roles, descriptions, version, null);

    /// <param name="stored">The features' JSON and ranks as a build of these same units, options and version made them (a snapshot file's), or null to make them.</param>
    internal static FeatureSet BuildPrepared(AdminLayer layer, AdminLayer provinces, AdminLayer departments, ColumnRoles roles,
        IReadOnlyDictionary<string, ColumnDescription> descriptions, string version, PreparedFeatures? stored)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(descriptions);
        var units = layer.Units;
        var noun = Noun(layer.Level);
        var properties = new List<FeatureProperty>();
        var columns = new List<object?[]>();
        void Add(FeatureProperty property, Func<AdminUnit, object?> value)
        {
            properties.Add(property);
            columns.Add([.. units.Select(value)]);
        }

        Add(new("code", FeaturePropertyType.String, $"{Capitalized(noun)} code", $"The {noun}'s code (INEI UBIGEO); also the feature id."), u => u.Code);
        Add(new("name", FeaturePropertyType.String, $"{Capitalized(noun)} name"), u => u.Name);
        if (layer.Level == AdminLevel.District)
        {
            Add(new("province", FeaturePropertyType.String, "Province code", "The code of the province the district belongs to."), u => u.ProvinceCode);
            Add(new("province_name", FeaturePropertyType.String, "Province name"), u => u.ProvinceCode is null ? null : provinces.Find(u.ProvinceCode)?.Name);
        }

        if (layer.Level != AdminLevel.Department)
        {
            Add(new("department", FeaturePropertyType.String, "Department code", $"The code of the department the {noun} belongs to."), u => u.DepartmentCode);
            Add(new("department_name", FeaturePropertyType.String, "Department name"), u => u.DepartmentCode is null ? null : departments.Find(u.DepartmentCode)?.Name);
        }

        Add(new("area_km2", FeaturePropertyType.Number, "Area", "Ellipsoidal area of the served (cleaned) geometry.", "km2"), u => Math.Round(u.AreaKm2, 3));
        Add(new("has_estimates", FeaturePropertyType.Boolean, "Has estimates",
            layer.Level == AdminLevel.District ? "True when the estimates table has a row for the district." : $"True when some district of the {noun} has estimates."),
            u => u.HasEstimates);
        var taken = properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        taken.Add("dataset_version");
        for (var c = 0; c < layer.Columns.Count; c++)
        {
            var column = layer.Columns[c];
            var index = c;
            var name = taken.Contains(column.Name) ? "estimate_" + column.Name : column.Name;
            taken.Add(name);
            var type = column.Kind == ColumnKind.Text
                ? FeaturePropertyType.String
                : roles.IsCount(c) && units.All(u => u.Values[index] is not double v || (v == Math.Floor(v) && Math.Abs(v) < 9e15))
                    ? FeaturePropertyType.Integer
                    : FeaturePropertyType.Number;
            var described = descriptions.GetValueOrDefault(column.Name);
            var meaning = described?.Description ?? $"The estimates table's column '{column.Name}'.";
            var missing = layer.Level == AdminLevel.District
                ? " Null where the table has no value (never 0)."
                : roles.IsCount(c) ? " Sum over the districts that have a value; null when none has." : roles.IsRate(c)
                    ? " Population-weighted mean over the districts that have the value and a population; null when none has."
                    : " Null for dissolved units.";
            Add(new(name, type, string.IsNullOrEmpty(described?.Title) ? column.Name : described.Title, meaning + missing, described?.Unit),
                u => u.Values[index] is double d && double.IsNaN(d) ? null : u.Values[index]);
        }

        Add(new("dataset_version", FeaturePropertyType.String, "Dataset version", "The version of the dataset this feature was served from (changes exactly when the inputs or shaping options change)."), _ => version);
        var title = Capitalized(CollectionId(layer.Level));
        var description = $"{units.Count:N0} {CollectionId(layer.Level)} of the loaded dataset with their estimates (id: the {noun} code). "
            + (layer.Level == AdminLevel.District
                ? "Geometry: the cleaned coverage (geometry=source for the published outlines). "
                : $"Geometry and estimates dissolved from the districts by code prefix. ")
            + "The estimates carry no time: datetime is accepted and filters nothing.";
        return new FeatureSet(CollectionId(layer.Level), layer.Level, title, description, properties, [.. columns], [.. units.Select(u => u.Code)],
            [.. units.Select(u => u.Geometry)], [.. units], stored);
    }

    /// <summary>The collection id of a level: <c>departments</c>, <c>provinces</c>, <c>districts</c>.</summary>
    public static string CollectionId(AdminLevel level) => level switch
    {
        AdminLevel.Department => "departments",
        AdminLevel.Province => "provinces",
        _ => "districts",
    };

    private static string Noun(AdminLevel level) => level.ToString().ToLowerInvariant();

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private int[] Ranks(int property)
    {
        var column = _columns[property];
        var order = Enumerable.Range(0, column.Length).Where(i => column[i] is not null).ToArray();
        Array.Sort(order, (a, b) => CompareValues(column[a]!, column[b]!));
        var ranks = new int[column.Length];
        Array.Fill(ranks, int.MaxValue);
        for (var k = 0; k < order.Length; k++)
        {
            ranks[order[k]] = k > 0 && CompareValues(column[order[k - 1]]!, column[order[k]]!) == 0 ? ranks[order[k - 1]] : k;
        }

        return ranks;
    }

    /// <summary>Orders two non-null values of one property: numbers numerically, text ordinally, false before true.</summary>
    internal static int CompareValues(object a, object b) => (a, b) switch
    {
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        _ => 0,
    };
}

/// <summary>
/// What a <see cref="FeatureSet"/> prepares at build: the JSON of each feature (its properties object, its CRS84
/// geometry, the start of its Feature object; slices of one buffer when read from a snapshot file), and each
/// property's sort ranks (<see cref="FeatureSet.Rank"/>), aligned with the features.
/// </summary>
internal sealed record PreparedFeatures(ReadOnlyMemory<byte>[] Properties, ReadOnlyMemory<byte>[] Geometry, ReadOnlyMemory<byte>[] Head, int[][] Ranks);

/// <summary>The three collections of one dataset snapshot, coarsest first. Immutable; safe to read from any thread.</summary>
public sealed class FeatureCatalog
{
    private FeatureCatalog(IReadOnlyList<FeatureSet> collections) => Collections = collections;

    public IReadOnlyList<FeatureSet> Collections { get; }

    /// <summary>The collection with id <paramref name="id"/>, or null.</summary>
    public FeatureSet? Find(string id) => Collections.FirstOrDefault(c => c.Id == id);

    public static FeatureCatalog Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ColumnRoles roles,
        IReadOnlyDictionary<string, ColumnDescription> descriptions, string version) =>
        Build(departments, provinces, districts, roles, descriptions, version, null);

    /// <param name="stored">Each collection's JSON and ranks, coarsest first, as a build of these units made them (a snapshot file's), or null to make them.</param>
    internal static FeatureCatalog Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ColumnRoles roles,
        IReadOnlyDictionary<string, ColumnDescription> descriptions, string version, IReadOnlyList<PreparedFeatures>? stored)
    {
        AdminLayer[] layers = [departments, provinces, districts];
        var sets = new FeatureSet[layers.Length];

        // Parallel.For rather than PLINQ, on TaskScheduler.Current (LoadParallelism): a load handed a scheduler keeps
        // this work on it (PLINQ always takes the default one).
        Parallel.For(0, layers.Length, LoadParallelism.Options, i => sets[i] = FeatureSet.BuildPrepared(layers[i], provinces, departments, roles, descriptions, version, stored?[i]));
        return new(sets);
    }
}
