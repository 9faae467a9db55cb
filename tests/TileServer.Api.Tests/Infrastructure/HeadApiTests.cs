using System.Net;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>HEAD is answered wherever GET is (RFC 9110, 9.3.2).</summary>
[Collection(SampleCollection.Name)]
public class HeadApiTests(SampleServerFixture sample)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/v1/dataset")]
    [InlineData("/v1/districts/{code}")]
    [InlineData("/tiles/poverty.json")]
    [InlineData("/health/ready")]
    [InlineData("/v1/provinces/{province}")]
    [InlineData("/v1/departments/{department}")]
    [InlineData("/v1/districts/{code}?geometry=source")]
    [InlineData("/v1/aggregate?bbox={bbox}")]
    [InlineData("/v1/aggregate?lat={lat}&lon={lon}&radiusKm=5")]
    [InlineData("/v1/lookup?lat={lat}&lon={lon}")]
    [InlineData("/tiles/poverty/{tile}.mvt")]
    [InlineData("/tiles/poverty/{tile}.pbf")]
    [InlineData("/tiles/poverty/v/{version}/{tile}.mvt")]
    public async Task Head_answers_like_get(string template)
    {
        var district = sample.Snapshot.Districts.Units[0];
        var centre = district.Geometry.InteriorPoint;
        var box = district.Geometry.EnvelopeInternal;
        var tile = sample.Snapshot.Tiles!.Info.MaxZoom;
        var path = template
            .Replace("{code}", district.Code, StringComparison.Ordinal)
            .Replace("{province}", sample.Snapshot.Provinces.Units[0].Code, StringComparison.Ordinal)
            .Replace("{department}", sample.Snapshot.Departments.Units[0].Code, StringComparison.Ordinal)
            .Replace("{bbox}", FormattableString.Invariant($"{box.MinX},{box.MinY},{box.MaxX},{box.MaxY}"), StringComparison.Ordinal)
            .Replace("{lat}", FormattableString.Invariant($"{centre.Y}"), StringComparison.Ordinal)
            .Replace("{lon}", FormattableString.Invariant($"{centre.X}"), StringComparison.Ordinal)
            .Replace("{version}", sample.Snapshot.Version, StringComparison.Ordinal)
            .Replace("{tile}", TileAt(centre.X, centre.Y, tile), StringComparison.Ordinal);
        using var get = await sample.Client.GetAsync(path);
        using var head = await sample.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
        if (path.StartsWith("/tiles/poverty/", StringComparison.Ordinal))
        {
            // The tile endpoint does not even copy its bytes for HEAD (the in-process test server would pass them
            // on; Kestrel drops them for every route, see the test over a real server below).
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    private static string TileAt(double lon, double lat, int zoom)
    {
        var id = TileServer.Core.Tiles.WebMercator.TileAt(lon, lat, zoom);
        return $"{id.Z}/{id.X}/{id.Y}";
    }
}
