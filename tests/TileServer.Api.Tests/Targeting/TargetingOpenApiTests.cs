using System.Text.Json;
using TileServer.Api.Tests.Support;
using static TileServer.Api.Tests.Targeting.PeruTargetingApiTests;

namespace TileServer.Api.Tests.Targeting;

/// <summary>The OpenAPI document at <c>/api</c> describes both endpoints with request examples the server accepts.</summary>
[Collection(SampleCollection.Name)]
public class TargetingOpenApiTests(SampleServerFixture sample)
{
    [Theory]
    [InlineData("/v1/targeting", "compareTargetingRules", "rules")]
    [InlineData("/v1/allocation", "allocateBudget", "formulas")]
    public async Task Each_endpoint_has_a_request_example_that_the_server_answers(string path, string operationId, string member)
    {
        using var document = JsonDocument.Parse(await sample.Client.GetStringAsync("/api"));

        var post = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post");
        Assert.Equal(operationId, post.GetProperty("operationId").GetString());
        var example = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.True(example.TryGetProperty(member, out _));
        var answers = post.GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.True(answers.TryGetProperty("application/json", out _));
        Assert.True(answers.TryGetProperty("text/csv", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("400", out _));

        // The sample's departments are coded like Peru's: the documented example is a request the server answers.
        var answer = await PostOkAsync(sample.Client, path, example.GetRawText());
        Assert.Equal(example.GetProperty(member).GetArrayLength(), answer.GetProperty("results").GetArrayLength());
    }
}
