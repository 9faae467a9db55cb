using System.Text;
using System.Text.Json;
using TileServer.Api.Tests.Support;
using static TileServer.Api.Tests.Targeting.PeruTargetingApiTests;

namespace TileServer.Api.Tests.Targeting;

/// <summary>Bad and hostile requests to <c>/v1/targeting</c> and <c>/v1/allocation</c>: each is problem+json naming the field.</summary>
[Collection(SampleCollection.Name)]
public class TargetingBadInputApiTests(SampleServerFixture sample)
{
    /// <summary>Asserts a 400 problem+json whose title and <c>field</c> name the field, and returns the field.</summary>
    private static async Task<string> FieldOfProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        var field = body.GetProperty("field").GetString()!;
        Assert.Contains(field.Length == 0 ? "body" : $"'{field}'", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        return field;
    }

    [Theory]
    [InlineData("""{"indicator": "riqueza", "rules": [{"threshold": 50}]}""", "indicator")]
    [InlineData("""{"indicator": "poblacion", "rules": [{"threshold": 50}]}""", "indicator")]
    [InlineData("""{"rules": [{"threshold": 50}, {"top": 3, "indicator": "riqueza"}]}""", "rules[1].indicator")]
    [InlineData("""{"level": "region", "rules": [{"threshold": 50}]}""", "level")]
    [InlineData("""{"rules": []}""", "rules")]
    [InlineData("""{"level": "district"}""", "rules")]
    [InlineData("""{"rules": [{"threshold": 50, "colour": "red"}]}""", "rules[0].colour")]
    [InlineData("""{"rules": [{"top": -3}]}""", "rules[0].top")]
    [InlineData("""{"rules": [{"budget": -1, "perPerson": 100}]}""", "rules[0].budget")]
    [InlineData("""{"rules": [{"budget": 1000}]}""", "rules[0].perPerson")]
    [InlineData("""{"rules": [{"threshold": 50, "direction": "sideways"}]}""", "rules[0].direction")]
    [InlineData("""{"scope": {"department": "99"}, "rules": [{"threshold": 50}]}""", "scope.department")]
    [InlineData("""{"scope": {"province": "9999"}, "rules": [{"threshold": 50}]}""", "scope.province")]
    [InlineData("""{"scope": {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 10]]]}, "rules": [{"threshold": 50}]}""", "scope")]
    [InlineData("""{"scope": {"type": "Polygon", "coordinates": [[[10, 10], [11, 10]]]}, "rules": [{"threshold": 50}]}""", "scope")]
    [InlineData("""{"scope": "Peru", "rules": [{"threshold": 50}]}""", "scope")]
    [InlineData("""{"rules": [{"threshold": 50}]""", "")]
    [InlineData("""[]""", "")]
    [InlineData("", "")]
    public async Task Bad_targeting_requests_name_the_field(string body, string field)
    {
        using var response = await PostAsync(sample.Client, "/v1/targeting", body);

        Assert.Equal(field, await FieldOfProblemAsync(response));
    }

    [Theory]
    [InlineData("""{"budget": -5, "formulas": ["poor"]}""", "budget")]
    [InlineData("""{"budget": 12.5, "formulas": ["poor"]}""", "budget")]
    [InlineData("""{"formulas": ["poor"]}""", "budget")]
    [InlineData("""{"budget": 1000, "formulas": []}""", "formulas")]
    [InlineData("""{"budget": 1000, "formulas": ["wealth"]}""", "formulas[0]")]
    [InlineData("""{"budget": 1000, "formulas": [{"name": "w", "weights": {"poor": 1, "altitude": 1}}]}""", "formulas[0].weights.altitude")]
    [InlineData("""{"budget": 1000, "level": "country", "formulas": ["poor"]}""", "level")]
    [InlineData("""{"budget": 1000, "indicator": "idh2", "formulas": ["poor"]}""", "indicator")]
    [InlineData("""{"budget": 1000, "level": "department", "scope": {"province": "0101"}, "formulas": ["poor"]}""", "scope.province")]
    public async Task Bad_allocation_requests_name_the_field(string body, string field)
    {
        using var response = await PostAsync(sample.Client, "/v1/allocation", body);

        Assert.Equal(field, await FieldOfProblemAsync(response));
    }

    [Fact]
    public async Task More_than_100_rules_is_400_naming_rules()
    {
        var rules = string.Join(",", Enumerable.Range(0, 101).Select(i => $$"""{"top": {{i}}}"""));

        using var response = await PostAsync(sample.Client, "/v1/targeting", $$"""{"rules": [{{rules}}]}""");

        Assert.Equal("rules", await FieldOfProblemAsync(response));
    }

    [Fact]
    public async Task A_hundred_rules_are_answered()
    {
        var rules = string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"threshold": {{i}}}"""));

        var answer = await PostOkAsync(sample.Client, "/v1/targeting?selected=false", $$"""{"rules": [{{rules}}]}""");

        var units = answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("units").GetInt32()).ToList();
        Assert.Equal(100, units.Count);
        Assert.Equal(units.OrderDescending(), units);
    }

    [Fact]
    public async Task A_bad_selected_parameter_is_400()
    {
        using var response = await PostAsync(sample.Client, "/v1/targeting?selected=maybe", """{"rules": [{"threshold": 50}]}""");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("selected", problem.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        using var response = await sample.Client.PostAsync("/v1/targeting", new StringContent("threshold=50", Encoding.UTF8, "text/plain"));

        await ProblemAssert.IsProblemAsync(response, 415);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_without_reading_it_whole()
    {
        var padding = new string(' ', (4 * 1024 * 1024) + 10);

        using var response = await PostAsync(sample.Client, "/v1/targeting", $$"""{"rules": [{"threshold": 50}]}{{padding}}""");

        await ProblemAssert.IsProblemAsync(response, 413);
    }

    [Fact]
    public async Task Deeply_nested_json_is_400_not_a_stack_overflow()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        using var response = await PostAsync(sample.Client, "/v1/targeting", $$"""{"rules": [{"threshold": 50}], "x": {{deep}}}""");

        await ProblemAssert.IsProblemAsync(response, 400);
    }

    [Fact]
    public async Task A_huge_number_of_vertices_in_the_scope_is_refused()
    {
        var ring = string.Join(",", Enumerable.Range(0, 100_001).Select(i => $"[{-75 + (i * 1e-6)}, -12]")) + ",[-75, -12]";

        using var response = await PostAsync(sample.Client, "/v1/targeting", $$"""{"scope": {"type": "Polygon", "coordinates": [[{{ring}}]]}, "rules": [{"threshold": 50}]}""");

        Assert.Equal("scope", await FieldOfProblemAsync(response));
    }

    [Fact]
    public async Task The_sample_answers_a_threshold_and_an_allocation()
    {
        var targeting = await PostOkAsync(sample.Client, "/v1/targeting", """{"rules": [{"threshold": 50}]}""");
        var allocation = await PostOkAsync(sample.Client, "/v1/allocation", """{"budget": 777, "formulas": ["poor"]}""");

        Assert.True(targeting.GetProperty("results")[0].GetProperty("units").GetInt32() > 0);
        Assert.Equal(777L, allocation.GetProperty("results")[0].GetProperty("units").EnumerateArray().Sum(u => u.GetProperty("amount").GetInt64()));
    }
}
