using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TileServer.Core.Aggregation;
using TileServer.Core.Json;
using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>Defaults and limits applied while reading targeting and allocation requests. Immutable.</summary>
public sealed record TargetingReadOptions
{
    /// <summary>The indicator when a request names none: the rate column that says who is poor.</summary>
    public string Indicator { get; init; } = "pobreza_pct";

    /// <summary>The rate column that says who is extremely poor (the <c>extremePoor</c> allocation basis).</summary>
    public string ExtremeIndicator { get; init; } = "pobreza_extrema_pct";

    /// <summary>Deepest JSON nesting (a MultiPolygon Feature as the scope needs 7).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Most positions in a scope area.</summary>
    public int MaxVertices { get; init; } = 100_000;

    /// <summary>Repair (the default) or reject a scope area with self-intersecting rings.</summary>
    public InvalidRingHandling InvalidRings { get; init; } = InvalidRingHandling.Repair;
}

/// <summary>
/// Reads <c>POST /v1/targeting</c> and <c>POST /v1/allocation</c> bodies (UTF-8 JSON) into a <see cref="TargetingQuery"/>
/// or an <see cref="AllocationQuery"/>, strictly: unknown or duplicate members, values of the wrong type or out of
/// range, and more rules or formulas than allowed are each an <see cref="InvalidTargetingRequestException"/> naming the
/// member by its JSON path (<c>rules[2].top</c>), so that a typo is an error rather than a silently ignored option.
/// </summary>
/// <remarks>
/// The body is parsed once into a <see cref="JsonDocument"/> (pooled memory) with the depth limit of
/// <see cref="TargetingReadOptions.MaxDepth"/>; the counts of rules and formulas are checked before any of them is
/// read. A scope area is a GeoJSON Polygon, MultiPolygon or Feature read by <see cref="GeoJsonQueryReader"/> from the
/// scope's own bytes and validated by <see cref="QueryValidator"/> (vertex limit, coordinate range, ring validity).
/// Whether indicators exist is the engines' to say, since it depends on the dataset. Thread safety: stateless.
/// </remarks>
public static class TargetingRequestReader
{
    private const int MaxNameLength = 200;

    /// <exception cref="InvalidTargetingRequestException">The body is not a usable targeting request.</exception>
    public static TargetingQuery ReadTargeting(ReadOnlyMemory<byte> utf8, TargetingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var document = Parse(utf8, options);
        var root = document.RootElement;
        CheckMembers(root, string.Empty, "level", "scope", "indicator", "rules");
        var level = Level(root, [AdminLevel.District, AdminLevel.Province]);
        var scope = Scope(root, options);
        var indicator = OptionalString(root, "indicator", string.Empty) ?? options.Indicator;
        if (!root.TryGetProperty("rules", out var rules) || rules.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidTargetingRequestException("rules", "Give the rules to compare: \"rules\": [{\"name\": \"poorest\", \"threshold\": 50}, ...].");
        }

        ExpectArray(rules, "rules", TargetingEngine.MaxRules, "rule");
        var read = new List<TargetingRule>(rules.GetArrayLength());
        foreach (var rule in rules.EnumerateArray())
        {
            read.Add(Rule(rule, $"rules[{read.Count}]"));
        }

        return new TargetingQuery(level, scope, indicator, read);
    }

    /// <exception cref="InvalidTargetingRequestException">The body is not a usable allocation request.</exception>
    public static AllocationQuery ReadAllocation(ReadOnlyMemory<byte> utf8, TargetingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var document = Parse(utf8, options);
        var root = document.RootElement;
        CheckMembers(root, string.Empty, "budget", "level", "scope", "indicator", "formulas");
        if (!root.TryGetProperty("budget", out var budgetElement))
        {
            throw new InvalidTargetingRequestException("budget", "Give the budget to split, in whole currency units: \"budget\": 1000000000.");
        }

        var budget = Number(budgetElement, "budget");
        if (budget < 0 || budget > BudgetAllocator.MaxBudget || budget != Math.Floor(budget))
        {
            throw new InvalidTargetingRequestException("budget",
                $"The budget must be a whole number of currency units between 0 and {BudgetAllocator.MaxBudget}; got {Format(budget)}.");
        }

        var level = Level(root, [AdminLevel.Department, AdminLevel.Province, AdminLevel.District], AdminLevel.Department);
        var scope = Scope(root, options);
        var indicator = OptionalString(root, "indicator", string.Empty) ?? options.Indicator;
        if (!root.TryGetProperty("formulas", out var formulas) || formulas.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidTargetingRequestException("formulas", "Give the formulas to compare: \"formulas\": [\"population\", \"poor\", ...].");
        }

        ExpectArray(formulas, "formulas", BudgetAllocator.MaxFormulas, "formula");
        var read = new List<AllocationFormula>(formulas.GetArrayLength());
        foreach (var formula in formulas.EnumerateArray())
        {
            var path = $"formulas[{read.Count}]";
            var parsed = Formula(formula, path);
            if (read.Any(f => f.Name == parsed.Name))
            {
                throw new InvalidTargetingRequestException(path, $"Another formula is already named '{parsed.Name}'; give each formula its own name.");
            }

            read.Add(parsed);
        }

        return new AllocationQuery((long)budget, level, scope, indicator, options.ExtremeIndicator, read);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> utf8, TargetingReadOptions options)
    {
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Span.Trim((ReadOnlySpan<byte>)[0x20, 0x09, 0x0A, 0x0D]).IsEmpty)
        {
            throw new InvalidTargetingRequestException(string.Empty, "The body is empty; send a JSON object.");
        }

        try
        {
            JsonStringCheck.Validate(utf8.Span, options.MaxDepth);
        }
        catch (InvalidJsonStringException e)
        {
            throw new InvalidTargetingRequestException(e.Path, e.Message);
        }

        JsonDocument document;
        try
        {
            // Duplicate members are found where each object is read, so that the error can name them by path.
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = options.MaxDepth });
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 1 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : string.Empty;
            throw new InvalidTargetingRequestException(field,
                $"The body is not valid JSON, or nests deeper than {options.MaxDepth} levels (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line): {FirstSentence(e.Message)}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new InvalidTargetingRequestException(string.Empty, $"The body must be a JSON object, not a JSON {Describe(kind)}.");
        }

        return document;
    }

    private static AdminLevel Level(JsonElement root, AdminLevel[] allowed, AdminLevel fallback = AdminLevel.District)
    {
        var text = OptionalString(root, "level", string.Empty);
        if (text is null)
        {
            return fallback;
        }

        foreach (var level in allowed)
        {
            if (ScopeResolver.Name(level) == text)
            {
                return level;
            }
        }

        throw new InvalidTargetingRequestException("level",
            $"Unknown level '{text}'; use {string.Join(" or ", allowed.Select(l => $"\"{ScopeResolver.Name(l)}\""))}.");
    }

    private static TargetingScope Scope(JsonElement root, TargetingReadOptions options)
    {
        if (!root.TryGetProperty("scope", out var scope) || scope.ValueKind == JsonValueKind.Null)
        {
            return TargetingScope.Country;
        }

        if (scope.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidTargetingRequestException("scope",
                $"The scope must be an object ({{\"department\": \"05\"}}, {{\"province\": \"0501\"}} or a GeoJSON Polygon, MultiPolygon or Feature), not a JSON {Describe(scope.ValueKind)}.");
        }

        if (scope.TryGetProperty("type", out _))
        {
            return Area(scope, options);
        }

        CheckMembers(scope, "scope", "department", "province");
        var department = OptionalString(scope, "department", "scope.");
        var province = OptionalString(scope, "province", "scope.");
        return (department, province) switch
        {
            (not null, null) => TargetingScope.Department(department),
            (null, not null) => TargetingScope.Province(province),
            (not null, not null) => throw new InvalidTargetingRequestException("scope", "Give a department or a province as the scope, not both."),
            _ => throw new InvalidTargetingRequestException("scope",
                "An empty scope; leave \"scope\" out for the whole country, or give {\"department\": \"05\"}, {\"province\": \"0501\"} or a GeoJSON Polygon, MultiPolygon or Feature."),
        };
    }

    private static TargetingScope Area(JsonElement scope, TargetingReadOptions options)
    {
        GeoJsonQuery query;
        ValidatedQuery validated;
        try
        {
            query = GeoJsonQueryReader.Read(JsonMarshal.GetRawUtf8Value(scope),
                new GeoJsonReadLimits { MaxDepth = options.MaxDepth, MaxVertices = options.MaxVertices, MaxFeatures = 1 });
            if (query.IsCollection)
            {
                throw new InvalidTargetingRequestException("scope",
                    "The scope is a FeatureCollection; send one Polygon, MultiPolygon or Feature (merge several areas into a MultiPolygon).");
            }

            validated = QueryValidator.ValidatePolygonal(query.Features[0].Geometry,
                new AggregationLimits { MaxVertices = options.MaxVertices, InvalidRings = options.InvalidRings });
        }
        catch (InvalidQueryException e)
        {
            throw new InvalidTargetingRequestException("scope", $"The scope area: {e.Message}");
        }

        return TargetingScope.Within(validated.Geometry, validated.Repair);
    }

    private static TargetingRule Rule(JsonElement rule, string path)
    {
        if (rule.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidTargetingRequestException(path, $"A rule must be an object such as {{\"name\": \"poorest\", \"threshold\": 50}}, not a JSON {Describe(rule.ValueKind)}.");
        }

        CheckMembers(rule, path, "name", "indicator", "direction", "threshold", "top", "populationBudget", "budget", "perPerson");
        var kinds = new[] { "threshold", "top", "populationBudget", "budget" }.Where(k => rule.TryGetProperty(k, out _)).ToList();
        if (kinds.Count != 1)
        {
            throw new InvalidTargetingRequestException(path, kinds.Count == 0
                ? "A rule needs one of threshold, top, populationBudget or budget (with perPerson)."
                : $"A rule takes one of threshold, top, populationBudget or budget; this one has {string.Join(" and ", kinds)}.");
        }

        if (kinds[0] != "budget" && rule.TryGetProperty("perPerson", out _))
        {
            throw new InvalidTargetingRequestException($"{path}.perPerson", "perPerson goes with a money budget (\"budget\"), not with " + kinds[0] + ".");
        }

        var name = OptionalString(rule, "name", path + ".") ?? path;
        var field = $"{path}.{kinds[0]}";
        var value = Number(rule.GetProperty(kinds[0]), field);
        TargetingRule read;
        switch (kinds[0])
        {
            case "threshold":
                read = TargetingRule.AtThreshold(name, value);
                break;
            case "top":
                if (value < 0 || value != Math.Floor(value) || value > int.MaxValue)
                {
                    throw new InvalidTargetingRequestException(field, $"top must be a whole number of units, 0 or more; got {Format(value)}.");
                }

                read = TargetingRule.WorstUnits(name, (int)value);
                break;
            case "populationBudget":
                read = value >= 0
                    ? TargetingRule.WithinPopulation(name, value)
                    : throw new InvalidTargetingRequestException(field, $"A population budget must be 0 or more persons; got {Format(value)}.");
                break;
            default:
                if (value < 0)
                {
                    throw new InvalidTargetingRequestException(field, $"A budget must be 0 or more; got {Format(value)}.");
                }

                if (!rule.TryGetProperty("perPerson", out var perPersonElement))
                {
                    throw new InvalidTargetingRequestException($"{path}.perPerson", "A money budget needs perPerson, the yearly transfer per person.");
                }

                var perPerson = Number(perPersonElement, $"{path}.perPerson");
                read = perPerson > 0
                    ? TargetingRule.WithinBudget(name, value, perPerson)
                    : throw new InvalidTargetingRequestException($"{path}.perPerson", $"perPerson must be above 0; got {Format(perPerson)}.");
                break;
        }

        var direction = OptionalString(rule, "direction", path + ".");
        return read with
        {
            Indicator = OptionalString(rule, "indicator", path + "."),
            Direction = direction switch
            {
                null or "above" => RuleDirection.Above,
                "below" => RuleDirection.Below,
                _ => throw new InvalidTargetingRequestException($"{path}.direction",
                    $"Unknown direction '{direction}'; use \"above\" (higher is worse, the default) or \"below\" (lower is worse, as for idh)."),
            },
        };
    }

    private static AllocationFormula Formula(JsonElement formula, string path)
    {
        if (formula.ValueKind == JsonValueKind.String)
        {
            var name = formula.GetString()!;
            return TryBasis(name, out var basis)
                ? AllocationFormula.Proportional(name, basis)
                : throw new InvalidTargetingRequestException(path,
                    $"Unknown formula '{Truncate(name)}'; use \"population\", \"poor\", \"extremePoor\", \"equal\", or {{\"name\": \"...\", \"weights\": {{\"poor\": 0.7, \"population\": 0.3}}}}.");
        }

        if (formula.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidTargetingRequestException(path, $"A formula is a name or an object with weights, not a JSON {Describe(formula.ValueKind)}.");
        }

        CheckMembers(formula, path, "name", "weights");
        var formulaName = OptionalString(formula, "name", path + ".")
            ?? throw new InvalidTargetingRequestException($"{path}.name", "A weighted formula needs a name.");
        if (!formula.TryGetProperty("weights", out var weights) || weights.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidTargetingRequestException($"{path}.weights", "A weighted formula needs \"weights\": an object such as {\"poor\": 0.7, \"population\": 0.3}.");
        }

        var read = new List<FormulaWeight>();
        foreach (var member in weights.EnumerateObject())
        {
            var field = $"{path}.weights.{member.Name}";
            if (!TryBasis(member.Name, out var basis))
            {
                throw new InvalidTargetingRequestException(field, $"Unknown weight '{Truncate(member.Name)}'; weights are population, poor, extremePoor and equal.");
            }

            if (read.Any(w => w.Basis == basis))
            {
                throw new InvalidTargetingRequestException(field, $"'{member.Name}' is given twice.");
            }

            var weight = Number(member.Value, field);
            if (weight < 0)
            {
                throw new InvalidTargetingRequestException(field, $"A weight must be 0 or more; got {Format(weight)}.");
            }

            read.Add(new FormulaWeight(basis, weight));
        }

        return read.Sum(w => w.Weight) > 0
            ? AllocationFormula.Weighted(formulaName, read)
            : throw new InvalidTargetingRequestException($"{path}.weights", "The weights must include at least one above 0.");
    }

    private static bool TryBasis(string name, out AllocationBasis basis)
    {
        foreach (var candidate in Enum.GetValues<AllocationBasis>())
        {
            if (BudgetAllocator.Name(candidate) == name)
            {
                basis = candidate;
                return true;
            }
        }

        basis = default;
        return false;
    }

    /// <summary>Rejects members other than <paramref name="allowed"/>, and members given twice, naming the first by its path.</summary>
    private static void CheckMembers(JsonElement element, string path, params string[] allowed)
    {
        Span<bool> seen = stackalloc bool[allowed.Length];
        foreach (var member in element.EnumerateObject())
        {
            var field = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
            var index = Array.IndexOf(allowed, member.Name);
            if (index < 0)
            {
                throw new InvalidTargetingRequestException(Truncate(field), $"Unknown member '{Truncate(member.Name)}'; expected {string.Join(", ", allowed)}.");
            }

            if (seen[index])
            {
                throw new InvalidTargetingRequestException(field, $"'{member.Name}' is given twice.");
            }

            seen[index] = true;
        }
    }

    private static void ExpectArray(JsonElement element, string field, int max, string what)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidTargetingRequestException(field, $"{field} must be an array, not a JSON {Describe(element.ValueKind)}.");
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            throw new InvalidTargetingRequestException(field, $"Give at least one {what}.");
        }

        if (count > max)
        {
            throw new InvalidTargetingRequestException(field, $"{count} {what}s is more than the {max} one request may compare; split them.");
        }
    }

    /// <summary>A string member, or null when absent or JSON null.</summary>
    private static string? OptionalString(JsonElement element, string name, string prefix)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidTargetingRequestException(prefix + name, $"{name} must be a string, not a JSON {Describe(value.ValueKind)}.");
        }

        var text = value.GetString()!;
        return text.Length is > 0 and <= MaxNameLength
            ? text
            : throw new InvalidTargetingRequestException(prefix + name, $"{name} must have 1 to {MaxNameLength} characters; it has {text.Length}.");
    }

    private static double Number(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidTargetingRequestException(field, $"{field} must be a number, not a JSON {Describe(element.ValueKind)}.");
        }

        return element.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw new InvalidTargetingRequestException(field, $"{field} is out of range.");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Client text echoed in an error, cut short.</summary>
    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (end < 0)
        {
            end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        }

        return (end > 0 ? message[..end] : message).Trim();
    }
}
