using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using TileServer.AdminUnits;
using TileServer.Core.Dataset;
using TileServer.Core.Search;
using TileServer.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Search;

public static class SearchEndpoints
{
    public const int DefaultLimit = 10;

    public const int MaxLimit = 50;

    /// <summary>
    /// <c>GET /v1/search?q=&amp;limit=</c> (mapped in the <c>/v1</c> group): departments, provinces and districts by
    /// name, accent- and case-insensitive, best matches first (<see cref="UnitSearchIndex"/>), each with its parents and
    /// the box to fly to.
    /// </summary>
    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder api)
    {
        api.MapGet("/search", Search).WithTags("Search");
        return api;
    }

    private static Results<Ok<SearchAnswer>, ProblemHttpResult> Search(string? q, string? limit, ServedDataset dataset)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return Problems.BadRequest("Missing parameter 'q'", "q is the name to search for, such as q=asuncion.");
        }

        if (q.Length > UnitSearchIndex.MaxQueryLength)
        {
            return Problems.BadRequest("Invalid parameter 'q'", $"q is at most {UnitSearchIndex.MaxQueryLength} characters long; got {q.Length}.");
        }

        var count = DefaultLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            return Problems.BadRequest("Invalid parameter 'limit'", $"limit must be an integer from 1 to {MaxLimit}; got '{limit}'.");
        }

        var snapshot = dataset.Snapshot;
        Span<SearchHit> hits = stackalloc SearchHit[count];
        var found = snapshot.Search.Search(q, hits);
        var results = new SearchResult[found];
        for (var i = 0; i < found; i++)
        {
            results[i] = SearchResult.From(snapshot, hits[i]);
        }

        return TypedResults.Ok(new SearchAnswer(q, results));
    }
}

/// <summary>The answer of <c>/v1/search</c>: the query as given and the matching units, best first.</summary>
public sealed record SearchAnswer(string Query, IReadOnlyList<SearchResult> Results);

/// <summary>A unit found by name: code, level, name, parents, how the name matched, and its box (west, south, east, north).</summary>
public sealed record SearchResult(string Code, string Level, string Name, UnitRef? Province, UnitRef? Department, string Match, IReadOnlyList<double> Bbox)
{
    public static SearchResult From(DatasetSnapshot snapshot, SearchHit hit)
    {
        var unit = snapshot.Layer(hit.Level).Units[hit.Unit];
        var box = unit.Geometry.EnvelopeInternal;
        return new SearchResult(
            unit.Code,
            AdminUnitEndpoints.Noun(hit.Level),
            unit.Name,
            UnitFeature.Parent(snapshot.Provinces, unit.ProvinceCode),
            UnitFeature.Parent(snapshot.Departments, unit.DepartmentCode),
            hit.Match switch
            {
                SearchMatch.Exact => "exact",
                SearchMatch.Prefix => "prefix",
                SearchMatch.WordPrefix => "wordPrefix",
                _ => "infix",
            },
            [Math.Round(box.MinX, 6), Math.Round(box.MinY, 6), Math.Round(box.MaxX, 6), Math.Round(box.MaxY, 6)]);
    }
}
