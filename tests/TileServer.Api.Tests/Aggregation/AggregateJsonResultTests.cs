using Microsoft.AspNetCore.Http;
using TileServer.Aggregation;
using TileServer.Core.Aggregation;

namespace TileServer.Api.Tests.Aggregation;

/// <summary>An aggregate answer is written whole or not at all (issue 18: a half-written body with a problem appended).</summary>
public class AggregateJsonResultTests
{
    private static AggregationResult Result(double population) =>
        new(population, [], [], 1, 0, 1, 1, 1, null, null);

    [Fact]
    public async Task A_value_that_cannot_be_written_fails_before_the_first_byte()
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        var result = new AggregateJsonResult([new AggregatedArea(Result(10), null, null), new AggregatedArea(Result(double.PositiveInfinity), null, null)], collection: true);

        await Assert.ThrowsAsync<ArgumentException>(() => result.ExecuteAsync(context));
        await context.Response.BodyWriter.FlushAsync(); // as the server does when the request ends

        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task A_complete_answer_is_written_with_its_length()
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await new AggregateJsonResult([new AggregatedArea(Result(10), null, null)], collection: false).ExecuteAsync(context);

        Assert.Equal(body.Length, context.Response.ContentLength);
        Assert.StartsWith("{\"population\":10", System.Text.Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
    }
}
