using Microsoft.AspNetCore.Http.HttpResults;
using NetTopologySuite.Geometries;
using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Core.Ranking;
using TileServer.Dataset;
using TileServer.Infrastructure;

namespace TileServer.AdminUnits;

public static class AdminUnitEndpoints
{
    /// <summary><c>GET /v1/{districts|provinces|departments}/{code}</c> (mapped in the <c>/v1</c> group): one unit as a GeoJSON Feature (RFC 7946).</summary>
    public static IEndpointRouteBuilder MapAdminUnits(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Administrative units");
        group.MapGet("/districts/{code}", District);
        group.MapGet("/provinces/{code}", Province);
        group.MapGet("/departments/{code}", Department);
        return api;
    }

    private static Results<GeoJsonResult<UnitFeature>, ProblemHttpResult> District(string code, string? geometry, ServedDataset dataset) =>
        Find(dataset.Snapshot, AdminLevel.District, code, geometry);

    private static Results<GeoJsonResult<UnitFeature>, ProblemHttpResult> Province(string code, string? geometry, ServedDataset dataset) =>
        Find(dataset.Snapshot, AdminLevel.Province, code, geometry);

    private static Results<GeoJsonResult<UnitFeature>, ProblemHttpResult> Department(string code, string? geometry, ServedDataset dataset) =>
        Find(dataset.Snapshot, AdminLevel.Department, code, geometry);

    /// <param name="geometry"><c>cleaned</c> (default: what tiles, lookups and aggregates use) or <c>source</c> (as published).</param>
    private static Results<GeoJsonResult<UnitFeature>, ProblemHttpResult> Find(DatasetSnapshot snapshot, AdminLevel level, string code, string? geometry)
    {
        var source = geometry switch
        {
            null or "" or "cleaned" => false,
            "source" => true,
            _ => (bool?)null,
        };
        if (source is null)
        {
            return Problems.BadRequest("Invalid parameter 'geometry'", $"geometry must be 'cleaned' or 'source', got '{geometry}'.");
        }

        var layer = snapshot.Layer(level);
        if (layer.Find(code) is not { } unit)
        {
            return Problems.NotFound($"Unknown {Noun(level)}", $"No {Noun(level)} has code '{code}'.");
        }

        return new GeoJsonResult<UnitFeature>(UnitFeature.From(snapshot, unit, source.Value));
    }

    internal static string Noun(AdminLevel level) => level.ToString().ToLowerInvariant();
}

/// <summary>
/// A unit as a GeoJSON Feature: <c>id</c> is the code; properties carry name, level, parents, area, estimates, the
/// counts derived from them (estimated poor persons) and the unit's rank for every numeric estimate.
/// </summary>
public sealed record UnitFeature(string Type, string Id, Geometry Geometry, UnitProperties Properties)
{
    public static UnitFeature From(DatasetSnapshot snapshot, AdminUnit unit, bool sourceGeometry)
    {
        var layer = snapshot.Layer(unit.Level);
        var estimates = new Dictionary<string, object?>(layer.Columns.Count, StringComparer.Ordinal);
        for (var c = 0; c < layer.Columns.Count; c++)
        {
            estimates[layer.Columns[c].Name] = unit.Values[c];
        }

        var index = layer.IndexOf(unit.Code);
        var population = layer.Number(index, layer.ColumnIndex(snapshot.ColumnRoles.PopulationColumn));
        var derived = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var count in snapshot.ColumnRoles.DerivedCounts)
        {
            derived[count.Name] = count.Of(layer.Number(index, layer.ColumnIndex(count.RateColumn)), population) is { } value ? Math.Round(value, 2) : null;
        }

        var ranks = new Dictionary<string, UnitRanking>(StringComparer.Ordinal);
        foreach (var column in layer.Columns.Where(c => c.Kind == ColumnKind.Number))
        {
            if (snapshot.Ranks.InCountry(unit.Level, column.Name, index) is { } country)
            {
                ranks[column.Name] = new UnitRanking(
                    country,
                    unit.Level > AdminLevel.Department ? snapshot.Ranks.Within(unit.Level, column.Name, index, AdminLevel.Department) : null,
                    unit.Level > AdminLevel.Province ? snapshot.Ranks.Within(unit.Level, column.Name, index, AdminLevel.Province) : null);
            }
        }

        return new UnitFeature("Feature", unit.Code, sourceGeometry ? unit.SourceGeometry : unit.Geometry, new UnitProperties(
            unit.Code,
            unit.Name,
            AdminUnitEndpoints.Noun(unit.Level),
            Parent(snapshot.Provinces, unit.ProvinceCode),
            Parent(snapshot.Departments, unit.DepartmentCode),
            Math.Round(unit.AreaKm2, 3),
            unit.HasEstimates,
            estimates,
            derived,
            ranks));
    }

    /// <summary>The parent unit's code and name, or null for a unit without that parent level.</summary>
    internal static UnitRef? Parent(AdminLayer layer, string? code) =>
        code is null ? null : new UnitRef(code, layer.Find(code)?.Name ?? code);
}

public sealed record UnitProperties(
    string Code,
    string Name,
    string Level,
    UnitRef? Province,
    UnitRef? Department,
    double AreaKm2,
    bool HasEstimates,
    IReadOnlyDictionary<string, object?> Estimates,
    IReadOnlyDictionary<string, double?> DerivedCounts,
    IReadOnlyDictionary<string, UnitRanking> Ranks);

/// <summary>A unit's rank for one estimate among the units of its level: in the country, its department and its province.</summary>
public sealed record UnitRanking(Rank Country, Rank? Department, Rank? Province);

public sealed record UnitRef(string Code, string Name);
