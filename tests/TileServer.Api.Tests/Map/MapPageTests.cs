using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TileServer.Core.Features;
using TileServer.Map;

namespace TileServer.Api.Tests.Map;

/// <summary>The page when the server was built without Node.js: it must still render and say how to get the map's files.</summary>
public sealed class MapPageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("map-assets-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Without_MapLibre_the_page_says_how_to_get_it()
    {
        File.WriteAllText(Path.Combine(_root, StaticAssetStore.PageTemplate), "<h1>{{title}}</h1>{{missing}}<script>{{config}}</script>");
        var page = new MapPage(new StaticAssetStore(_root), Options.Create(new MapOptions()));

        var html = Render(page);

        Assert.False(page.LibraryAvailable);
        Assert.Contains("npm ci", html, StringComparison.Ordinal);
        Assert.Contains("Node.js", html, StringComparison.Ordinal);
        Assert.Contains("\"libraryAvailable\":false", html, StringComparison.Ordinal);
    }

    [Fact]
    public void With_MapLibre_there_is_no_notice_and_text_is_html_encoded()
    {
        Directory.CreateDirectory(Path.Combine(_root, "map", "lib"));
        File.WriteAllText(Path.Combine(_root, MapPage.LibraryModule), "export {};");
        File.WriteAllText(Path.Combine(_root, StaticAssetStore.PageTemplate), "<h1>{{title}}</h1>{{missing}}<ul>{{links}}</ul><script>{{config}}</script>");
        var options = new MapOptions { DefaultIndicator = "</script><b>" };
        var page = new MapPage(new StaticAssetStore(_root), Options.Create(options));

        var html = Render(page);

        Assert.True(page.LibraryAvailable);
        Assert.DoesNotContain("npm ci", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</script><b>", html, StringComparison.Ordinal);
        Assert.Contains("\\u003C/script\\u003E", html, StringComparison.OrdinalIgnoreCase);
    }

    private static string Render(MapPage page)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("example.org");
        FeatureLink[] links = [new("/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "API")];
        return page.Render(context.Request, "Title", "Description", links) is ContentHttpResult { ResponseContent: { } content } ? content : "";
    }
}
