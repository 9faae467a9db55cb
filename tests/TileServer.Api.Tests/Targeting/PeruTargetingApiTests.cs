using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TileServer.Api.Tests.Support;
using TileServer.Core.Tests.Targeting;

namespace TileServer.Api.Tests.Targeting;

/// <summary><c>POST /v1/targeting</c> and <c>/v1/allocation</c> over Peru, checked against <see cref="PeruOracle"/>.</summary>
[Collection(PeruCollection.Name)]
public class PeruTargetingApiTests(PeruServerFixture peru)
{
    private static readonly Lazy<PeruOracle> Oracle = new(() => PeruOracle.Read(PeruData.Directory!));

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (accept is not null)
        {
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        }

        return await client.SendAsync(request);
    }

    internal static async Task<JsonElement> PostOkAsync(HttpClient client, string path, string body)
    {
        using var response = await PostAsync(client, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [PeruFact]
    public async Task The_issues_example_answers_every_field_of_the_contract_in_rule_order()
    {
        var body = """
            {"level": "district", "indicator": "pobreza_pct", "rules": [
              {"name": "poorest", "threshold": 50}, {"name": "top 100", "top": 100},
              {"name": "2 million", "populationBudget": 2000000}, {"name": "money", "budget": 500000000, "perPerson": 1200}]}
            """;

        var answer = await PostOkAsync(peru.Client, "/v1/targeting", body);

        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts, "pobreza_pct");
        var scope = answer.GetProperty("scope");
        Assert.Equal(units.Count, scope.GetProperty("units").GetInt32());
        Assert.Equal(units.Sum(u => u.Population!.Value), scope.GetProperty("population").GetDouble());
        Assert.Equal(units.Sum(u => u.Poor("pobreza_pct")), scope.GetProperty("poor").GetDouble(), 1e-3);
        Assert.Equal(oracle.Districts.Count - units.Count, scope.GetProperty("unitsWithoutData").GetInt32());
        Assert.True(scope.TryGetProperty("populationWithoutData", out _));

        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["poorest", "top 100", "2 million", "money"], results.Select(r => r.GetProperty("name").GetString()));
        string[] fields = ["name", "rule", "units", "population", "poor", "coverage", "undercoverage", "leakage", "precision", "cgh",
            "bestPoorSamePopulation", "efficiency", "selected", "byDepartment"];
        foreach (var result in results)
        {
            Assert.All(fields, f => Assert.True(result.TryGetProperty(f, out _), $"missing {f}"));
            Assert.Equal(result.GetProperty("units").GetInt32(), result.GetProperty("selected").GetArrayLength());
        }

        var poorest = results[0];
        var expected = units.Where(u => u.Rate("pobreza_pct") >= 50).ToList();
        var population = expected.Sum(u => u.Population!.Value);
        var poor = expected.Sum(u => u.Poor("pobreza_pct"));
        Assert.Equal(expected.Select(u => u.Code).Order(StringComparer.Ordinal),
            poorest.GetProperty("selected").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(population, poorest.GetProperty("population").GetDouble());
        Assert.Equal(poor / units.Sum(u => u.Poor("pobreza_pct")), poorest.GetProperty("coverage").GetDouble(), 12);
        Assert.Equal((population - poor) / population, poorest.GetProperty("leakage").GetDouble(), 12);
        Assert.Equal(JsonSerializer.Serialize(new { indicator = "pobreza_pct", direction = "above", threshold = 50 }), poorest.GetProperty("rule").GetRawText());
        Assert.Equal(100, results[1].GetProperty("units").GetInt32());
        Assert.True(results[2].GetProperty("population").GetDouble() <= 2_000_000);
        Assert.True(results[2].GetProperty("skippedUnits").GetInt32() > 0);
        Assert.Equal(416_666, results[3].GetProperty("rule").GetProperty("populationBudget").GetDouble());
        Assert.True(results[3].GetProperty("population").GetDouble() <= 416_666);
    }

    [PeruFact]
    public async Task Selected_false_leaves_the_lists_out_and_keeps_the_figures()
    {
        const string body = """{"rules": [{"threshold": 50}, {"populationBudget": 2000000}]}""";

        var full = await PostOkAsync(peru.Client, "/v1/targeting", body);
        var bare = await PostOkAsync(peru.Client, "/v1/targeting?selected=false", body);

        foreach (var (a, b) in full.GetProperty("results").EnumerateArray().Zip(bare.GetProperty("results").EnumerateArray()))
        {
            Assert.False(b.TryGetProperty("selected", out _));
            Assert.False(b.TryGetProperty("skipped", out _));
            Assert.Equal(a.GetProperty("units").GetInt32(), b.GetProperty("units").GetInt32());
            Assert.Equal(a.GetProperty("coverage").GetDouble(), b.GetProperty("coverage").GetDouble());
            Assert.Equal(a.GetProperty("skippedUnits").GetInt32(), b.GetProperty("skippedUnits").GetInt32());
        }
    }

    [PeruFact]
    public async Task Accept_text_csv_gives_one_row_per_rule_with_the_json_figures()
    {
        const string body = """{"rules": [{"name": "half, or more", "threshold": 50}, {"name": "extreme", "top": 10, "indicator": "pobreza_extrema_pct"}]}""";

        var json = await PostOkAsync(peru.Client, "/v1/targeting", body);
        using var response = await PostAsync(peru.Client, "/v1/targeting", body, "text/csv");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("selected", header[^1]);
        Assert.StartsWith("\"half, or more\",pobreza_pct,above,threshold,50,", lines[1], StringComparison.Ordinal);
        var rows = json.GetProperty("results").EnumerateArray().ToList();
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = SplitCsv(lines[r + 1]);
            Assert.Equal(header.Length, cells.Count);
            foreach (var measure in new[] { "units", "population", "poor", "coverage", "leakage", "cgh", "efficiency" })
            {
                Assert.Equal(rows[r].GetProperty(measure).GetDouble(), double.Parse(cells[Array.IndexOf(header, measure)], CultureInfo.InvariantCulture));
            }

            Assert.Equal(rows[r].GetProperty("selected").EnumerateArray().Select(c => c.GetString()), cells[^1].Split(' '));
        }
    }

    [PeruFact]
    public async Task The_extreme_poverty_indicator_works_the_same_way()
    {
        var answer = await PostOkAsync(peru.Client, "/v1/targeting", """{"indicator": "pobreza_extrema_pct", "rules": [{"threshold": 20}]}""");

        var units = Oracle.Value.WithData(Oracle.Value.Districts, "pobreza_extrema_pct");
        var selected = units.Where(u => u.Rate("pobreza_extrema_pct") >= 20).ToList();
        var result = answer.GetProperty("results")[0];
        Assert.Equal("pobreza_extrema_pct", answer.GetProperty("indicator").GetString());
        Assert.Equal(selected.Count, result.GetProperty("units").GetInt32());
        Assert.Equal(selected.Sum(u => u.Poor("pobreza_extrema_pct")) / units.Sum(u => u.Poor("pobreza_extrema_pct")), result.GetProperty("coverage").GetDouble(), 12);
    }

    [PeruFact]
    public async Task A_departments_geojson_feature_scopes_like_its_code()
    {
        var feature = await peru.Client.GetStringAsync("/v1/departments/05");

        var byArea = await PostOkAsync(peru.Client, "/v1/targeting", $$"""{"scope": {{feature}}, "rules": [{"threshold": 50}]}""");
        var byCode = await PostOkAsync(peru.Client, "/v1/targeting", """{"scope": {"department": "05"}, "rules": [{"threshold": 50}]}""");

        Assert.Equal(byCode.GetProperty("scope").GetRawText(), byArea.GetProperty("scope").GetRawText());
        Assert.Equal(byCode.GetProperty("results").GetRawText(), byArea.GetProperty("results").GetRawText());
        Assert.Equal(Oracle.Value.WithData(Oracle.Value.Districts.Where(u => u.Code.StartsWith("05", StringComparison.Ordinal)), "pobreza_pct").Count,
            byCode.GetProperty("scope").GetProperty("units").GetInt32());
    }

    [PeruFact]
    public async Task Province_level_in_a_department_scope()
    {
        var answer = await PostOkAsync(peru.Client, "/v1/targeting", """{"level": "province", "scope": {"department": "05"}, "rules": [{"top": 3}]}""");

        var provinces = Oracle.Value.WithData(Oracle.Value.Provinces.Where(u => u.Code.StartsWith("05", StringComparison.Ordinal)), "pobreza_pct");
        var expected = provinces.OrderByDescending(u => u.Rate("pobreza_pct")).ThenBy(u => u.Code, StringComparer.Ordinal).Take(3).Select(u => u.Code);
        Assert.Equal("province", answer.GetProperty("level").GetString());
        Assert.Equal(expected, answer.GetProperty("results")[0].GetProperty("selected").EnumerateArray().Select(c => c.GetString()));
    }

    [PeruFact]
    public async Task An_allocation_adds_up_to_the_budget_for_every_formula()
    {
        const string body = """
            {"budget": 1000000000, "level": "department",
             "formulas": ["population", "poor", "extremePoor", "equal", {"name": "70/30", "weights": {"poor": 0.7, "population": 0.3}}]}
            """;

        var answer = await PostOkAsync(peru.Client, "/v1/allocation", body);

        var departments = Oracle.Value.WithData(Oracle.Value.Departments, "pobreza_pct");
        Assert.Equal(departments.Count, answer.GetProperty("scope").GetProperty("units").GetInt32());
        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["population", "poor", "extremePoor", "equal", "70/30"], results.Select(r => r.GetProperty("name").GetString()));
        foreach (var result in results)
        {
            var units = result.GetProperty("units").EnumerateArray().ToList();
            Assert.Equal(departments.Select(d => d.Code), units.Select(u => u.GetProperty("code").GetString()));
            Assert.Equal(1_000_000_000L, units.Sum(u => u.GetProperty("amount").GetInt64()));
        }

        Assert.Equal(0, results[1].GetProperty("distanceToPoor").GetDouble());
        var poorUnits = results[1].GetProperty("units").EnumerateArray().ToList();
        for (var i = 0; i < departments.Count; i++)
        {
            Assert.Equal(poorUnits[i].GetProperty("amount").GetInt64() / departments[i].Population!.Value, poorUnits[i].GetProperty("perPerson").GetDouble(), 9);
            Assert.Equal(poorUnits[i].GetProperty("amount").GetInt64() / departments[i].Poor("pobreza_pct"), poorUnits[i].GetProperty("perPoor").GetDouble(), 6);
        }

        // 70/30 sits between the two: its distance to the poor allocation is 0.3 of the population formula's.
        Assert.Equal(0.3 * results[0].GetProperty("distanceToPoor").GetDouble(), results[4].GetProperty("distanceToPoor").GetDouble(), 12);
    }

    [PeruFact]
    public async Task An_allocation_as_csv_has_one_row_per_formula_and_unit()
    {
        using var response = await PostAsync(peru.Client, "/v1/allocation", """{"budget": 5000, "level": "province", "scope": {"department": "05"}, "formulas": ["poor", "equal"]}""", "text/csv");

        Assert.Equal(200, (int)response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("formula,code,name,population,poor,amount,share,perPerson,perPoor", lines[0]);
        var provinces = Oracle.Value.WithData(Oracle.Value.Provinces.Where(u => u.Code.StartsWith("05", StringComparison.Ordinal)), "pobreza_pct");
        Assert.Equal(1 + (2 * provinces.Count), lines.Length);
        foreach (var formula in new[] { "poor", "equal" })
        {
            Assert.Equal(5000L, lines.Skip(1).Where(l => l.StartsWith(formula + ",", StringComparison.Ordinal)).Sum(l => long.Parse(SplitCsv(l)[5], CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Splits one RFC 4180 record (quoted fields may hold commas and doubled quotes).</summary>
    internal static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
