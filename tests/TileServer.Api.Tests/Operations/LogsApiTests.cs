using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Operations;

/// <summary>
/// Logs and traces (README, "Operations: logs"): a client's W3C <c>traceparent</c> is honoured and named by problem
/// answers; JSON console logs are one object per line with the trace id in the scope of an error; request logging is
/// off by default and one entry per request when on, without the query string.
/// </summary>
public class LogsApiTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    [Fact]
    public async Task A_problem_names_the_trace_id_of_the_clients_traceparent()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?>());
        await factory.ServedAsync();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/districts/999999");
        request.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");

        using var response = await client.SendAsync(request);
        using var plain = await client.GetAsync("/v1/districts/999999");

        await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Equal(TraceId, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString());
        var own = (await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("traceId").GetString();
        Assert.Matches("^[0-9a-f]{32}$", own);
        Assert.NotEqual(TraceId, own);
    }

    [Fact]
    public async Task Json_console_logs_are_one_object_per_line_and_an_error_carries_the_trace_id_its_problem_names()
    {
        using var data = new SampleCopy();
        var port = MetricsApiTests.FreePort();
        await using var server = await ServerProcessHandle.StartAsync(
            $"--urls=http://127.0.0.1:{port}", $"--Dataset:Districts={data.Districts}", $"--Dataset:Estimates={data.Estimates}",
            "--Admin:Token=json-logs-token-0123456789", "--Logging:Console:FormatterName=json");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        File.WriteAllText(data.Estimates, "not,a\nvalid");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/reload") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "json-logs-token-0123456789") } };
        request.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");

        using var response = await client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(TraceId, problem.GetProperty("traceId").GetString());
        await Task.Delay(500);

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(entries, e => Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _) && e.TryGetProperty("Message", out _)));
        var error = Assert.Single(entries, e => e.GetProperty("LogLevel").GetString() == "Error");
        Assert.Contains(data.Estimates, error.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Contains(error.GetProperty("Scopes").EnumerateArray(), scope => scope.ValueKind == JsonValueKind.Object
            && scope.TryGetProperty("TraceId", out var id) && id.GetString() == TraceId);
    }

    [Fact]
    public async Task Request_logging_is_off_by_default_and_one_entry_per_request_without_the_query_when_on()
    {
        static List<Microsoft.Extensions.Logging.Testing.FakeLogRecord> RequestEntries(TileServerFactory factory) =>
            factory.Logs.GetSnapshot().Where(r => r.Category == "TileServer.RequestLog").ToList();

        await using (var off = new TileServerFactory(new Dictionary<string, string?>()))
        {
            await off.ServedAsync();
            using var client = off.CreateClient();
            (await client.GetAsync("/v1/lookup?lat=-10.5&lon=-74.25")).Dispose();
            Assert.Empty(RequestEntries(off));
        }

        await using var on = new TileServerFactory(new Dictionary<string, string?> { ["RequestLog:Enabled"] = "true" });
        await on.ServedAsync();
        using var logged = on.CreateClient();
        (await logged.GetAsync("/v1/lookup?lat=-10.5&lon=-74.25")).Dispose();
        (await logged.GetAsync("/tiles/poverty/0/0/0.mvt")).Dispose();

        var entries = RequestEntries(on);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains("/v1/lookup", entries[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-10.5", entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("/tiles/poverty/0/0/0.mvt", entries[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_entry_carries_method_path_protocol_status_duration_route_and_the_clients_trace_id()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["RequestLog:Enabled"] = "true" });
        await factory.ServedAsync();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/districts/999999?why=secret");
        request.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");
        var sent = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var elapsed = sent.Elapsed.TotalMilliseconds;

        var entry = Assert.Single(factory.Logs.GetSnapshot(), r => r.Category == "TileServer.RequestLog");
        var fields = entry.StructuredState!.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("GET", fields["Method"]);
        Assert.Equal("/v1/districts/999999", fields["Path"]);
        Assert.Equal("HTTP/1.1", fields["Protocol"]);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", fields["StatusCode"]);
        var duration = double.Parse(fields["DurationMs"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(duration, 0, elapsed);
        Assert.Equal("/v1/districts/{code}", fields["Route"]);
        Assert.DoesNotContain("secret", entry.Message, StringComparison.Ordinal);
        Assert.Contains(entry.Scopes, scope => scope is IEnumerable<KeyValuePair<string, object?>> pairs
            && pairs.Any(kv => kv.Key == "TraceId" && kv.Value?.ToString() == TraceId));
    }
}
