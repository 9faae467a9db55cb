using System.Text.Json;
using TileServer.Map.Tests.Support;

namespace TileServer.Map.Tests;

/// <summary>
/// <c>/api.html</c>, the OGC landing page's <c>service-doc</c>, in Debian's Chromium: the documentation renders the
/// server's own OpenAPI document (its title and every group of operations of <c>/api</c>) with its script served by
/// the server, and nothing is fetched from anywhere else (Scalar's fonts came from its CDN until this test).
/// </summary>
[Collection(MapCollection.Name)]
public sealed class ApiDocsPageTests(MapServerFixture server)
{
    [BrowserFact]
    public async Task The_api_documentation_shows_every_group_of_the_openapi_document_with_nothing_from_outside()
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/api", UriKind.Relative)));
        var groups = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .Where(operation => operation.Value.ValueKind == JsonValueKind.Object && operation.Value.TryGetProperty("tags", out _))
            .SelectMany(operation => operation.Value.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()!))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("OGC API - Features", groups);
        var title = document.RootElement.GetProperty("info").GetProperty("title").GetString()!;

        await using var session = await MapSession.OpenAsync(server, "/api.html",
            ready: $"() => document.body && document.body.innerText.includes({JsonSerializer.Serialize(title)})");

        var text = await session.Page.InnerTextAsync("body");
        var missing = groups.Where(g => !text.Contains(g, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {groups.Count} groups not shown: {string.Join(" | ", missing)}");
        Assert.Contains("/health/live", text, StringComparison.Ordinal);
        session.AssertNoProblems();
    }
}
