using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using TileServer.Core.Model;
using TileServer.Core.Targeting;
using TileServer.Lookup;

namespace TileServer.Targeting;

/// <summary>
/// The JSON answer of <c>POST /v1/targeting</c>, written straight to the response with <see cref="Utf8JsonWriter"/>
/// (property names pre-encoded; flushed as it goes, since 100 rules over every district list up to 189,100 codes).
/// Fields (README, "Targeting and allocation"): <c>level</c>, <c>indicator</c>, <c>scope</c> {units, population, poor,
/// unitsWithoutData, populationWithoutData, repair}, <c>results</c> [{name, rule, units, population, poor, coverage,
/// undercoverage, leakage, precision, cgh, bestPoorSamePopulation, efficiency, skippedUnits, skippedPopulation,
/// unrankedUnits, selected, skipped, byDepartment}]; <c>selected</c> and <c>skipped</c> only when asked for.
/// </summary>
internal sealed class TargetingJsonResult(TargetingResult result, bool withSelected) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var writer = JsonAnswer.Start(httpContext, null, result.Level, result.Indicator);
        var scope = result.Scope;
        JsonAnswer.WriteScope(writer, scope.Units, scope.Population, scope.Poor, null, scope.UnitsWithoutData, scope.PopulationWithoutData, scope.Repair);
        writer.WriteStartArray(Names.Results);
        foreach (var rule in result.Results)
        {
            WriteRule(writer, rule, result.Layer);
            await JsonAnswer.FlushWhenFullAsync(writer, httpContext);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    private void WriteRule(Utf8JsonWriter writer, RuleResult rule, AdminLayer layer)
    {
        writer.WriteStartObject();
        writer.WriteString(Names.Name, rule.Rule.Name);
        writer.WriteStartObject(Names.Rule);
        RuleFields.Write(writer, rule.Rule);
        writer.WriteEndObject();
        writer.WriteNumber(Names.Units, rule.Units);
        writer.WriteNumber(Names.Population, rule.Population);
        writer.WriteNumber(Names.Poor, rule.Poor);
        JsonAnswer.WriteNullable(writer, Names.Coverage, rule.Coverage);
        JsonAnswer.WriteNullable(writer, Names.Undercoverage, rule.Undercoverage);
        JsonAnswer.WriteNullable(writer, Names.Leakage, rule.Leakage);
        JsonAnswer.WriteNullable(writer, Names.Precision, rule.Precision);
        JsonAnswer.WriteNullable(writer, Names.Cgh, rule.Cgh);
        writer.WriteNumber(Names.BestPoorSamePopulation, rule.BestPoorSamePopulation);
        JsonAnswer.WriteNullable(writer, Names.Efficiency, rule.Efficiency);
        writer.WriteNumber(Names.SkippedUnits, rule.Skipped.Length);
        writer.WriteNumber(Names.SkippedPopulation, rule.SkippedPopulation);
        writer.WriteNumber(Names.UnrankedUnits, rule.UnrankedUnits);
        if (withSelected)
        {
            WriteCodes(writer, Names.Selected, rule.Selected.Span, layer);
            WriteCodes(writer, Names.Skipped, rule.Skipped.Span, layer);
        }

        writer.WriteStartArray(Names.ByDepartment);
        foreach (var department in rule.ByDepartment)
        {
            writer.WriteStartObject();
            writer.WriteString(Names.Code, department.Code);
            writer.WriteString(Names.Name, department.Name);
            writer.WriteNumber(Names.Units, department.Units);
            writer.WriteNumber(Names.Population, department.Population);
            writer.WriteNumber(Names.Poor, department.Poor);
            JsonAnswer.WriteNullable(writer, Names.Coverage, department.Coverage);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteCodes(Utf8JsonWriter writer, JsonEncodedText name, ReadOnlySpan<int> units, AdminLayer layer)
    {
        writer.WriteStartArray(name);
        foreach (var u in units)
        {
            writer.WriteStringValue(layer.Units[u].Code);
        }

        writer.WriteEndArray();
    }

}

/// <summary>What the two JSON answers share: the head, the scope object, nullable members and flushing as they go.</summary>
internal static class JsonAnswer
{
    /// <summary>Starts a 200 JSON answer: <c>{"budget"</c> (allocation only), <c>"level", "indicator"</c>.</summary>
    public static Utf8JsonWriter Start(HttpContext httpContext, long? budget, AdminLevel level, string indicator)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
        writer.WriteStartObject();
        if (budget is { } amount)
        {
            writer.WriteNumber(Names.Budget, amount);
        }

        writer.WriteString(Names.Level, level.ToString().ToLowerInvariant());
        writer.WriteString(Names.Indicator, indicator);
        return writer;
    }

    /// <summary><c>"scope": {...}</c>; <c>extremePoor</c> only when given (allocation).</summary>
    public static void WriteScope(Utf8JsonWriter writer, int units, double population, double poor, double? extremePoor,
        int unitsWithoutData, double populationWithoutData, string? repair)
    {
        writer.WriteStartObject(Names.Scope);
        writer.WriteNumber(Names.Units, units);
        writer.WriteNumber(Names.Population, population);
        writer.WriteNumber(Names.Poor, poor);
        if (extremePoor is { } extreme)
        {
            writer.WriteNumber(Names.ExtremePoor, extreme);
        }

        writer.WriteNumber(Names.UnitsWithoutData, unitsWithoutData);
        writer.WriteNumber(Names.PopulationWithoutData, populationWithoutData);
        JsonAnswer.WriteNullable(writer, Names.Repair, repair);
        writer.WriteEndObject();
    }

    /// <summary>Sends what is written once 32 KB are pending, so that a large answer streams.</summary>
    public static async ValueTask FlushWhenFullAsync(Utf8JsonWriter writer, HttpContext httpContext)
    {
        if (writer.BytesPending + httpContext.Response.BodyWriter.UnflushedBytes > 32 * 1024)
        {
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }

    public static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}

/// <summary>A rule as applied: its indicator and direction, and what it selects by.</summary>
internal static class RuleFields
{
    public static string Kind(TargetingRule rule) => rule.Kind switch
    {
        RuleKind.Threshold => "threshold",
        RuleKind.Top => "top",
        RuleKind.PopulationBudget => "populationBudget",
        _ => "budget",
    };

    public static void Write(Utf8JsonWriter writer, TargetingRule rule)
    {
        writer.WriteString(Names.Indicator, rule.Indicator);
        writer.WriteString(Names.Direction, rule.Direction == RuleDirection.Above ? "above" : "below");
        switch (rule.Kind)
        {
            case RuleKind.Threshold:
                writer.WriteNumber(Names.Threshold, rule.Threshold);
                break;
            case RuleKind.Top:
                writer.WriteNumber(Names.Top, rule.Top);
                break;
            case RuleKind.PopulationBudget:
                writer.WriteNumber(Names.PopulationBudget, rule.PopulationBudget);
                break;
            default:
                writer.WriteNumber(Names.Budget, rule.Budget);
                writer.WriteNumber(Names.PerPerson, rule.PerPerson);
                writer.WriteNumber(Names.PopulationBudget, rule.PopulationBudget);
                break;
        }
    }
}

/// <summary>
/// The CSV answer of <c>POST /v1/targeting</c> (RFC 4180, UTF-8, CRLF): a header, then one row per rule in order
/// with the rule's parameters and measures; an empty cell is a null measure or a parameter the rule does not have.
/// The last column, <c>selected</c>, holds the selected codes separated by spaces (left out with
/// <c>?selected=false</c>).
/// </summary>
internal sealed class TargetingCsvResult(TargetingResult result, bool withSelected) : IResult
{
    private const string Header =
        "name,indicator,direction,kind,threshold,top,populationBudget,budget,perPerson,units,population,poor,coverage,undercoverage,"
        + "leakage,precision,cgh,bestPoorSamePopulation,efficiency,skippedUnits,skippedPopulation,unrankedUnits";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        var body = httpContext.Response.BodyWriter;
        var line = new StringBuilder(Header);
        line.Append(withSelected ? ",selected\r\n" : "\r\n");
        foreach (var rule in result.Results)
        {
            var r = rule.Rule;
            line.Append(LookupPayloads.CsvField(r.Name)).Append(',')
                .Append(LookupPayloads.CsvField(r.Indicator)).Append(',')
                .Append(r.Direction == RuleDirection.Above ? "above" : "below").Append(',')
                .Append(RuleFields.Kind(r)).Append(',')
                .Append(r.Kind == RuleKind.Threshold ? Number(r.Threshold) : string.Empty).Append(',')
                .Append(r.Kind == RuleKind.Top ? r.Top.ToString(CultureInfo.InvariantCulture) : string.Empty).Append(',')
                .Append(r.Kind is RuleKind.PopulationBudget or RuleKind.MoneyBudget ? Number(r.PopulationBudget) : string.Empty).Append(',')
                .Append(r.Kind == RuleKind.MoneyBudget ? Number(r.Budget) : string.Empty).Append(',')
                .Append(r.Kind == RuleKind.MoneyBudget ? Number(r.PerPerson) : string.Empty);
            foreach (var value in new double?[]
            {
                rule.Units, rule.Population, rule.Poor, rule.Coverage, rule.Undercoverage, rule.Leakage, rule.Precision, rule.Cgh,
                rule.BestPoorSamePopulation, rule.Efficiency, rule.Skipped.Length, rule.SkippedPopulation, rule.UnrankedUnits,
            })
            {
                line.Append(',').Append(value is { } number ? Number(number) : string.Empty);
            }

            if (withSelected)
            {
                line.Append(',');
                var first = true;
                foreach (var u in rule.Selected.Span)
                {
                    line.Append(first ? string.Empty : " ").Append(result.Layer.Units[u].Code);
                    first = false;
                }
            }

            line.Append("\r\n");
            await WriteAsync(body, line, httpContext.RequestAborted);
        }

        await WriteAsync(body, line, httpContext.RequestAborted);
    }

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes and clears <paramref name="text"/>, flushing the response.</summary>
    internal static async ValueTask WriteAsync(PipeWriter body, StringBuilder text, CancellationToken cancellationToken)
    {
        foreach (var chunk in text.GetChunks())
        {
            var span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            body.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }

        text.Clear();
        await body.FlushAsync(cancellationToken);
    }
}

/// <summary>
/// The JSON answer of <c>POST /v1/allocation</c>: <c>budget</c>, <c>level</c>, <c>indicator</c>, <c>scope</c>
/// {units, population, poor, extremePoor (when a formula uses it), unitsWithoutData, populationWithoutData, repair},
/// <c>results</c> (one per
/// formula, in order) [{name, weights, distanceToPoor, units: [{code, name, amount, share, perPerson, perPoor}]}].
/// </summary>
internal sealed class AllocationJsonResult(AllocationResult result) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var writer = JsonAnswer.Start(httpContext, result.Budget, result.Level, result.Indicator);
        var scope = result.Scope;
        JsonAnswer.WriteScope(writer, scope.Units, scope.Population, scope.Poor, scope.ExtremePoor, scope.UnitsWithoutData, scope.PopulationWithoutData, scope.Repair);
        writer.WriteStartArray(Names.Results);
        foreach (var allocation in result.Formulas)
        {
            writer.WriteStartObject();
            writer.WriteString(Names.Name, allocation.Formula.Name);
            writer.WriteStartObject(Names.Weights);
            foreach (var weight in allocation.Formula.Weights)
            {
                writer.WriteNumber(BudgetAllocator.Name(weight.Basis), weight.Weight);
            }

            writer.WriteEndObject();
            JsonAnswer.WriteNullable(writer, Names.DistanceToPoor, allocation.DistanceToPoor);
            writer.WriteStartArray(Names.Units);
            for (var i = 0; i < result.Units.Length; i++)
            {
                var unit = result.Layer.Units[result.Units[i]];
                var amount = allocation.Amounts[i];
                writer.WriteStartObject();
                writer.WriteString(Names.Code, unit.Code);
                writer.WriteString(Names.Name, unit.Name);
                writer.WriteNumber(Names.Amount, amount);
                writer.WriteNumber(Names.Share, allocation.Shares[i]);
                writer.WriteNumber(Names.PerPerson, amount / result.Population[i]);
                JsonAnswer.WriteNullable(writer, Names.PerPoor, result.Poor[i] > 0 ? amount / result.Poor[i] : null);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await JsonAnswer.FlushWhenFullAsync(writer, httpContext);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}

/// <summary>
/// The CSV answer of <c>POST /v1/allocation</c> (RFC 4180, UTF-8, CRLF): one row per formula and unit, formulas in
/// order and units by code: <c>formula,code,name,population,poor,amount,share,perPerson,perPoor</c>.
/// </summary>
internal sealed class AllocationCsvResult(AllocationResult result) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        var body = httpContext.Response.BodyWriter;
        var text = new StringBuilder("formula,code,name,population,poor,amount,share,perPerson,perPoor\r\n");
        foreach (var allocation in result.Formulas)
        {
            var formula = LookupPayloads.CsvField(allocation.Formula.Name);
            for (var i = 0; i < result.Units.Length; i++)
            {
                var unit = result.Layer.Units[result.Units[i]];
                var amount = allocation.Amounts[i];
                text.Append(formula).Append(',')
                    .Append(LookupPayloads.CsvField(unit.Code)).Append(',')
                    .Append(LookupPayloads.CsvField(unit.Name)).Append(',')
                    .Append(TargetingCsvResult.Number(result.Population[i])).Append(',')
                    .Append(TargetingCsvResult.Number(result.Poor[i])).Append(',')
                    .Append(amount.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(TargetingCsvResult.Number(allocation.Shares[i])).Append(',')
                    .Append(TargetingCsvResult.Number(amount / result.Population[i])).Append(',')
                    .Append(result.Poor[i] > 0 ? TargetingCsvResult.Number(amount / result.Poor[i]) : string.Empty)
                    .Append("\r\n");
            }

            await TargetingCsvResult.WriteAsync(body, text, httpContext.RequestAborted);
        }

        await TargetingCsvResult.WriteAsync(body, text, httpContext.RequestAborted);
    }
}

/// <summary>Pre-encoded property names of the targeting and allocation answers.</summary>
internal static class Names
{
    public static readonly JsonEncodedText Level = JsonEncodedText.Encode("level");
    public static readonly JsonEncodedText Indicator = JsonEncodedText.Encode("indicator");
    public static readonly JsonEncodedText Scope = JsonEncodedText.Encode("scope");
    public static readonly JsonEncodedText Units = JsonEncodedText.Encode("units");
    public static readonly JsonEncodedText Population = JsonEncodedText.Encode("population");
    public static readonly JsonEncodedText Poor = JsonEncodedText.Encode("poor");
    public static readonly JsonEncodedText ExtremePoor = JsonEncodedText.Encode("extremePoor");
    public static readonly JsonEncodedText UnitsWithoutData = JsonEncodedText.Encode("unitsWithoutData");
    public static readonly JsonEncodedText PopulationWithoutData = JsonEncodedText.Encode("populationWithoutData");
    public static readonly JsonEncodedText Repair = JsonEncodedText.Encode("repair");
    public static readonly JsonEncodedText Results = JsonEncodedText.Encode("results");
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText Rule = JsonEncodedText.Encode("rule");
    public static readonly JsonEncodedText Direction = JsonEncodedText.Encode("direction");
    public static readonly JsonEncodedText Threshold = JsonEncodedText.Encode("threshold");
    public static readonly JsonEncodedText Top = JsonEncodedText.Encode("top");
    public static readonly JsonEncodedText PopulationBudget = JsonEncodedText.Encode("populationBudget");
    public static readonly JsonEncodedText Budget = JsonEncodedText.Encode("budget");
    public static readonly JsonEncodedText PerPerson = JsonEncodedText.Encode("perPerson");
    public static readonly JsonEncodedText Coverage = JsonEncodedText.Encode("coverage");
    public static readonly JsonEncodedText Undercoverage = JsonEncodedText.Encode("undercoverage");
    public static readonly JsonEncodedText Leakage = JsonEncodedText.Encode("leakage");
    public static readonly JsonEncodedText Precision = JsonEncodedText.Encode("precision");
    public static readonly JsonEncodedText Cgh = JsonEncodedText.Encode("cgh");
    public static readonly JsonEncodedText BestPoorSamePopulation = JsonEncodedText.Encode("bestPoorSamePopulation");
    public static readonly JsonEncodedText Efficiency = JsonEncodedText.Encode("efficiency");
    public static readonly JsonEncodedText SkippedUnits = JsonEncodedText.Encode("skippedUnits");
    public static readonly JsonEncodedText SkippedPopulation = JsonEncodedText.Encode("skippedPopulation");
    public static readonly JsonEncodedText UnrankedUnits = JsonEncodedText.Encode("unrankedUnits");
    public static readonly JsonEncodedText Selected = JsonEncodedText.Encode("selected");
    public static readonly JsonEncodedText Skipped = JsonEncodedText.Encode("skipped");
    public static readonly JsonEncodedText ByDepartment = JsonEncodedText.Encode("byDepartment");
    public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    public static readonly JsonEncodedText Weights = JsonEncodedText.Encode("weights");
    public static readonly JsonEncodedText DistanceToPoor = JsonEncodedText.Encode("distanceToPoor");
    public static readonly JsonEncodedText Amount = JsonEncodedText.Encode("amount");
    public static readonly JsonEncodedText Share = JsonEncodedText.Encode("share");
    public static readonly JsonEncodedText PerPoor = JsonEncodedText.Encode("perPoor");
}
