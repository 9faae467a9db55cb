using System.Globalization;
using NetTopologySuite.Densify;
using NetTopologySuite.Geometries;
using TileServer.Core.Features.Cql2;
using TileServer.Core.Model;

namespace TileServer.Core.Features;

/// <summary>Paging bounds of <c>items</c>: <c>limit</c> defaults to <see cref="DefaultLimit"/>; a larger value than <see cref="MaxLimit"/> is capped to it.</summary>
public sealed record FeatureLimits(int DefaultLimit = 100, int MaxLimit = 10_000);

/// <summary>
/// A query parameter the features door cannot use; <see cref="Exception.Message"/> says what is wrong with it, quoting
/// the request: it goes into a problem's <c>detail</c> and a log line, so it is kept one printable line of bounded
/// length (<see cref="MessageText.SingleLine"/>), as <see cref="CqlException"/>'s is.
/// </summary>
public sealed class FeatureQueryException : Exception
{
    public FeatureQueryException(string parameter, string message)
        : base(MessageText.SingleLine(message))
    {
        Parameter = MessageText.SingleLine(parameter);
    }

    public FeatureQueryException()
    {
    }

    public FeatureQueryException(string message)
        : base(MessageText.SingleLine(message))
    {
    }

    public FeatureQueryException(string message, Exception innerException)
        : base(MessageText.SingleLine(message), innerException)
    {
    }

    /// <summary>The offending parameter's name (one line, like the message).</summary>
    public string Parameter { get; } = string.Empty;
}

/// <summary>
/// An <c>items</c> request of one collection, parsed and checked (OGC API - Features Parts 1-3): paging
/// (<c>limit</c>, <c>offset</c>), <c>bbox</c> with <c>bbox-crs</c>, queryables as parameters (<c>name=value</c>,
/// equality), <c>filter</c> in CQL2 text or JSON with <c>filter-crs</c>, <c>sortby</c>, <c>properties</c>,
/// <c>skipGeometry</c>, <c>geometry=source</c>, output <c>crs</c>, and <c>datetime</c> (validated, filters nothing:
/// the estimates carry no time). All filters combine with AND; the order is by code unless <c>sortby</c> says
/// otherwise, with code breaking ties, and nulls sort last in both directions.
/// </summary>
/// <remarks>Thread safety: immutable after <see cref="Parse"/>.</remarks>
public sealed class FeatureQuery
{
    /// <summary>The parameters every <c>items</c> request may carry besides the queryables.</summary>
    public static readonly IReadOnlySet<string> StandardParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang", "filter-crs", "sortby",
        "properties", "skipGeometry", "geometry",
    };

    private readonly List<Func<int, bool>> _predicates = [];

    private FeatureQuery(FeatureSet set) => Set = set;

    public FeatureSet Set { get; }

    public int Limit { get; private set; }

    public int Offset { get; private set; }

    /// <summary>True when <c>limit</c> asked for more than the maximum and was capped.</summary>
    public bool LimitCapped { get; private set; }

    public FeatureCrs Crs { get; private set; } = FeatureCrs.Crs84;

    /// <summary>Indexes of the properties to write, in request order; null: all.</summary>
    public IReadOnlyList<int>? Properties { get; private set; }

    public bool SkipGeometry { get; private set; }

    /// <summary>True for <c>geometry=source</c>: the published geometry instead of the cleaned one.</summary>
    public bool SourceGeometry { get; private set; }

    /// <summary>True for <c>geometry=wkt</c>: CSV carries the (cleaned) geometry as WKT.</summary>
    public bool GeometryWkt { get; private set; }

    /// <summary>The sort keys: property index and direction.</summary>
    public IReadOnlyList<(int Property, bool Descending)> SortBy { get; private set; } = [];

    /// <summary>True when some filter (bbox, queryable parameter, filter) applies.</summary>
    public bool IsFiltered => _predicates.Count > 0;

    /// <summary>Parses the query parameters of an <c>items</c> request (each name with its values, in request order).</summary>
    /// <exception cref="FeatureQueryException">A parameter is unknown, repeated or invalid; the message names it.</exception>
    public static FeatureQuery Parse(FeatureSet set, IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> parameters, FeatureLimits limits)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(limits);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, list) in parameters)
        {
            if (list.Count > 1)
            {
                throw new FeatureQueryException(name, $"'{name}' is given {list.Count} times; give it once.");
            }

            if (!StandardParameters.Contains(name) && (set.PropertyIndex(name) < 0 || name == "dataset_version"))
            {
                throw new FeatureQueryException(name, $"Unknown parameter '{name}'. Parameters: {string.Join(", ", StandardParameters)}; queryables as name=value: {string.Join(", ", QueryableParameters(set))}.");
            }

            values[name] = list.Count == 0 ? string.Empty : list[0];
        }

        var query = new FeatureQuery(set);
        query.Limit = limits.DefaultLimit;
        if (values.TryGetValue("limit", out var limit))
        {
            var requested = Integer("limit", limit, 1);
            query.LimitCapped = requested > limits.MaxLimit;
            query.Limit = Math.Min(requested, limits.MaxLimit);
        }

        query.Offset = values.TryGetValue("offset", out var offset) ? Integer("offset", offset, 0) : 0;
        query.Crs = CrsParameter(values, "crs");
        if (values.TryGetValue("bbox", out var bbox))
        {
            query.AddBbox(bbox, CrsParameter(values, "bbox-crs"));
        }
        else if (values.ContainsKey("bbox-crs"))
        {
            throw new FeatureQueryException("bbox-crs", "'bbox-crs' is given without 'bbox'.");
        }

        if (values.TryGetValue("datetime", out var datetime))
        {
            CheckDatetime(datetime);
        }

        foreach (var (name, value) in values)
        {
            if (!StandardParameters.Contains(name))
            {
                query.AddEquality(name, value);
            }
        }

        if (values.TryGetValue("filter", out var filter))
        {
            query.AddFilter(filter, values.GetValueOrDefault("filter-lang"), CrsParameter(values, "filter-crs"));
        }
        else if (values.ContainsKey("filter-lang") || values.ContainsKey("filter-crs"))
        {
            throw new FeatureQueryException("filter", "'filter-lang' and 'filter-crs' need a 'filter'.");
        }

        if (values.TryGetValue("sortby", out var sortby))
        {
            query.SortBy = [.. List(sortby).Select(key => query.SortKey(key))];
        }

        if (values.TryGetValue("properties", out var properties))
        {
            query.Properties = [.. List(properties).Select(name => set.PropertyIndex(name) is var i and >= 0
                ? i
                : throw new FeatureQueryException("properties", $"Unknown property '{name}' in 'properties'. Properties: {string.Join(", ", set.Properties.Select(p => p.Name))}."))];
        }

        query.SkipGeometry = values.TryGetValue("skipGeometry", out var skip) && Boolean("skipGeometry", skip);
        if (values.TryGetValue("geometry", out var geometry))
        {
            query.SourceGeometry = geometry == "source";
            query.GeometryWkt = geometry == "wkt";
            if (geometry is not ("" or "cleaned" or "source" or "wkt"))
            {
                throw new FeatureQueryException("geometry", $"'geometry' must be 'cleaned' or 'source' (or 'wkt' with f=csv), got '{geometry}'.");
            }
        }

        return query;
    }

    /// <summary>Parses the parameters of a single-feature request: <c>f</c>, <c>crs</c>, <c>properties</c>, <c>skipGeometry</c>, <c>geometry</c>.</summary>
    /// <exception cref="FeatureQueryException">A parameter is unknown, repeated or invalid.</exception>
    public static FeatureQuery ParseOutput(FeatureSet set, IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        foreach (var (name, _) in list)
        {
            if (name is not ("f" or "crs" or "properties" or "skipGeometry" or "geometry"))
            {
                throw new FeatureQueryException(name, $"Unknown parameter '{name}' for a single feature. Parameters: f, crs, properties, skipGeometry, geometry.");
            }
        }

        var query = Parse(set, list, new FeatureLimits());
        return query.GeometryWkt ? throw new FeatureQueryException("geometry", "'geometry=wkt' applies to f=csv only.") : query;
    }

    /// <summary>The queryables that may be given as <c>name=value</c> parameters: every property but the dataset version.</summary>
    public static IEnumerable<string> QueryableParameters(FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Properties.Select(p => p.Name).Where(n => n != "dataset_version" && !StandardParameters.Contains(n));
    }

    /// <summary>Every matching feature in answer order.</summary>
    public int[] Matches()
    {
        var matches = new List<int>(IsFiltered ? 64 : Set.Count);
        for (var i = 0; i < Set.Count; i++)
        {
            var keep = true;
            foreach (var predicate in _predicates)
            {
                if (!predicate(i))
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                matches.Add(i);
            }
        }

        var result = matches.ToArray();
        if (SortBy.Count > 0)
        {
            Array.Sort(result, Compare);
        }

        return result;
    }

    private int Compare(int a, int b)
    {
        foreach (var (property, descending) in SortBy)
        {
            var ra = Set.Rank(property, a);
            var rb = Set.Rank(property, b);
            if (ra != rb)
            {
                // Nulls (int.MaxValue) last in both directions.
                return ra == int.MaxValue ? 1 : rb == int.MaxValue ? -1 : descending ? rb.CompareTo(ra) : ra.CompareTo(rb);
            }
        }

        return a.CompareTo(b);
    }

    private (int Property, bool Descending) SortKey(string key)
    {
        var descending = key.StartsWith('-');
        var name = key.TrimStart('+', '-', ' ');
        var index = Set.PropertyIndex(name);
        return index >= 0
            ? (index, descending)
            : throw new FeatureQueryException("sortby", $"Cannot sort by '{name}': not a property. Properties: {string.Join(", ", Set.Properties.Select(p => p.Name))}.");
    }

    private void AddEquality(string name, string text)
    {
        var index = Set.PropertyIndex(name);
        object value = Set.Properties[index].Type switch
        {
            FeaturePropertyType.String => text,
            FeaturePropertyType.Boolean => Boolean(name, text),
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : throw new FeatureQueryException(name, $"'{name}' is a number; got '{text}'."),
        };
        _predicates.Add(feature => Set.Value(index, feature) is { } v && FeatureSet.CompareValues(v, value) == 0);
    }

    private void AddFilter(string filter, string? language, FeatureCrs crs)
    {
        CqlNode node;
        try
        {
            node = language switch
            {
                null or "" or "cql2-text" => Cql2TextParser.Parse(filter),
                "cql2-json" => Cql2JsonParser.Parse(filter),
                _ => throw new FeatureQueryException("filter-lang", $"'filter-lang' must be 'cql2-text' or 'cql2-json', got '{language}'."),
            };
            _predicates.Add(FeatureFilter.Compile(node, Set, crs));
        }
        catch (CqlException e)
        {
            throw new FeatureQueryException("filter", $"Invalid filter: {e.Message}.");
        }
    }

    private void AddBbox(string text, FeatureCrs crs)
    {
        var parts = List(text);
        var numbers = new double[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                throw new FeatureQueryException("bbox", $"'bbox' must be 4 or 6 comma-separated numbers; '{parts[i]}' is not a number.");
            }
        }

        if (numbers.Length is not (4 or 6))
        {
            throw new FeatureQueryException("bbox", $"'bbox' must be 4 or 6 comma-separated numbers, got {numbers.Length}.");
        }

        var half = numbers.Length / 2;
        var (x1, y1, x2, y2) = (numbers[0], numbers[1], numbers[half], numbers[half + 1]);
        if (y1 > y2 || (x1 > x2 && crs != FeatureCrs.Crs84))
        {
            throw new FeatureQueryException("bbox", $"'bbox' lower corner exceeds its upper corner: {text}.");
        }

        Geometry area;
        if (crs == FeatureCrs.Crs84 && x1 > x2)
        {
            // Crossing the antimeridian (OGC API - Features Part 1, 7.15.3): two boxes.
            area = CqlGeometry.Factory.CreateMultiPolygon([
                (Polygon)CqlGeometry.Factory.ToGeometry(new Envelope(x1, 180, y1, y2)),
                (Polygon)CqlGeometry.Factory.ToGeometry(new Envelope(-180, x2, y1, y2)),
            ]);
        }
        else
        {
            area = CqlGeometry.Factory.ToGeometry(new Envelope(x1, x2, y1, y2));
            if (crs.IsProjected)
            {
                // A projected box's edges are curves in lon/lat: densify before transforming its vertices.
                area = Densifier.Densify(area, Math.Max(x2 - x1, y2 - y1) / 64);
            }

            area = crs.ToLonLat(area);
        }

        _predicates.Add(BboxPredicate(area));
    }

    private Func<int, bool> BboxPredicate(Geometry area)
    {
        var matches = new bool[Set.Count];
        Set.Intersecting(area, matches);
        return feature => matches[feature];
    }

    private static FeatureCrs CrsParameter(Dictionary<string, string> values, string name)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return FeatureCrs.Crs84;
        }

        return FeatureCrs.Find(text)
            ?? throw new FeatureQueryException(name, $"Unsupported CRS '{text}' in '{name}'. Supported: {string.Join(", ", FeatureCrs.Supported.Select(c => c.Uri))}.");
    }

    private static void CheckDatetime(string text)
    {
        var ends = text.Split('/');
        if (ends.Length > 2 || ends.Any(e => e is not ("" or "..") && !DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            || (ends.Length == 1 && ends[0] is "" or ".."))
        {
            throw new FeatureQueryException("datetime", $"'datetime' must be an RFC 3339 date-time or an interval 'start/end' (either end may be '..'), got '{text}'.");
        }
    }

    private static int Integer(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var big) && big >= minimum
                ? int.MaxValue
                : throw new FeatureQueryException(name, $"'{name}' must be an integer of at least {minimum}, got '{text}'.");

    private static bool Boolean(string name, string text) => text.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FeatureQueryException(name, $"'{name}' must be true or false, got '{text}'."),
    };

    private static List<string> List(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
