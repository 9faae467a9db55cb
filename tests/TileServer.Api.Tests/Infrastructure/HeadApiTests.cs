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
    public async Task Head_answers_like_get(string template)
    {
        var path = template.Replace("{code}", sample.Snapshot.Districts.Units[0].Code, StringComparison.Ordinal);
        using var get = await sample.Client.GetAsync(path);
        using var head = await sample.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
    }
}
