using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TileServer.Api.Tests.Support;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Operations;

/// <summary>
/// Hot reload (README, "Operations: reload"): the admin route, the version header, a failed reload keeping the old
/// dataset, coalescing, and the file watch, each on a private copy of the sample whose files the test changes.
/// </summary>
public class ReloadApiTests
{
    private const string Token = "test-admin-token-0123456789";

    private static TileServerFactory Factory(SampleCopy data, params (string Key, string Value)[] more)
    {
        var settings = data.Settings();
        settings["Admin:Token"] = Token;
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return new TileServerFactory(settings);
    }

    private static HttpRequestMessage Reload(string token = Token) => new(HttpMethod.Post, "/admin/reload")
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    private static string VersionHeader(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("X-Dataset-Version"));

    [Fact]
    public async Task Admin_reload_publishes_the_changed_files_under_a_new_version_named_by_every_answer()
    {
        using var data = new SampleCopy();
        await using var factory = Factory(data);
        var first = await factory.ServedAsync();
        using var client = factory.CreateClient();

        using (var before = await client.GetAsync("/tiles/poverty/0/0/0.mvt"))
        {
            Assert.Equal(first.Version, VersionHeader(before));
        }

        data.ChangeEstimates(123_456);
        using var reload = await client.SendAsync(Reload());
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var result = await reload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("loaded", result.GetProperty("outcome").GetString());
        var second = result.GetProperty("version").GetString()!;
        Assert.NotEqual(first.Version, second);
        Assert.Equal(first.Version, result.GetProperty("previousVersion").GetString());
        Assert.Equal(second, factory.Services.GetRequiredService<DatasetStore>().Current!.Version);

        // Every /v1, /tiles and OGC answer (problems too) names the version it was answered from.
        string[] paths = ["/v1/dataset", "/v1/districts/010101", "/v1/lookup?lat=0&lon=0", "/v1/districts/nope", "/tiles/poverty/0/0/0.mvt", "/tiles/poverty.json", "/", "/collections/districts/items?limit=1"];
        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path);
            Assert.True(VersionHeader(response) == second, $"{path}: {VersionHeader(response)}");
        }

        var code = (await client.GetFromJsonAsync<JsonElement>("/v1/districts/010101")).GetProperty("properties").GetProperty("estimates").GetProperty("poblacion").GetDouble();
        Assert.Equal(123_456, code);
        var dataset = await client.GetFromJsonAsync<JsonElement>("/v1/dataset");
        Assert.Equal(second, dataset.GetProperty("version").GetString());
        var status = dataset.GetProperty("reload");
        Assert.Equal("loaded", status.GetProperty("state").GetString());
        Assert.Equal("admin", status.GetProperty("lastTrigger").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("lastError").ValueKind);
        Assert.True(status.GetProperty("lastSuccessAt").GetDateTimeOffset() >= status.GetProperty("lastAttemptAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_old_dataset_is_logged_with_file_and_reason_and_shows_in_dataset_and_readiness()
    {
        using var data = new SampleCopy();
        await using var factory = Factory(data);
        var served = await factory.ServedAsync();
        using var client = factory.CreateClient();

        var good = File.ReadAllBytes(data.Estimates);
        File.WriteAllText(data.Estimates, "ubigeo,poblacion\n010101,12\n010101,13\n");
        using var request = Reload();
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        using var reload = await client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(reload, 422);
        Assert.Contains(data.Estimates, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("duplicate", problem.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Same(served, factory.Services.GetRequiredService<DatasetStore>().Current);

        // Still serving the old data, under the old version.
        using var tile = await client.GetAsync("/tiles/poverty/0/0/0.mvt");
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal(served.Version, VersionHeader(tile));

        var status = (await client.GetFromJsonAsync<JsonElement>("/v1/dataset")).GetProperty("reload");
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.StartsWith(data.Estimates, status.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(status.GetProperty("lastAttemptAt").GetDateTimeOffset() > status.GetProperty("lastSuccessAt").GetDateTimeOffset());

        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(served.Version, readiness.GetProperty("datasetVersion").GetString());
        Assert.Equal("failed", readiness.GetProperty("reload").GetProperty("state").GetString());

        // The error log names the file and the reason, and carries the trace id the problem names (the client's).
        var error = Assert.Single(factory.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Category == typeof(DatasetReloader).FullName);
        Assert.Contains(data.Estimates, error.Message, StringComparison.Ordinal);
        Assert.Contains(served.Version, error.Message, StringComparison.Ordinal);
        var body = JsonDocument.Parse(await reload.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", body.GetProperty("traceId").GetString());
        Assert.Contains(error.Scopes, scope => scope is IEnumerable<KeyValuePair<string, object?>> pairs
            && pairs.Any(p => p.Key == "TraceId" && p.Value?.ToString() == "4bf92f3577b34da6a3ce929d0e0e4736"));

        // A good file again: the next reload succeeds and clears the error.
        File.WriteAllBytes(data.Estimates, good);
        data.ChangeEstimates(7);
        using var again = await client.SendAsync(Reload());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var recovered = (await client.GetFromJsonAsync<JsonElement>("/v1/dataset")).GetProperty("reload");
        Assert.Equal("loaded", recovered.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, recovered.GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task A_wrong_or_missing_token_is_401_problem_and_without_a_token_the_admin_routes_do_not_exist()
    {
        using var data = new SampleCopy();
        await using (var factory = Factory(data))
        {
            using var client = factory.CreateClient();
            using var wrong = await client.SendAsync(Reload("test-admin-token-0123456780"));
            var problem = await ProblemAssert.IsProblemAsync(wrong, 401);
            Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);
            using var prefix = await client.SendAsync(Reload(Token[..^1]));
            await ProblemAssert.IsProblemAsync(prefix, 401);
            using var missing = await client.PostAsync("/admin/reload", null);
            await ProblemAssert.IsProblemAsync(missing, 401);
            using var basic = new HttpRequestMessage(HttpMethod.Post, "/admin/reload") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", Token) } };
            await ProblemAssert.IsProblemAsync(await client.SendAsync(basic), 401);
            Assert.NotNull(problem.Detail);
        }

        var settings = data.Settings();
        await using var noToken = new TileServerFactory(settings);
        await noToken.ServedAsync();
        using var anonymous = noToken.CreateClient();
        using var absent = await anonymous.SendAsync(Reload());
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task A_short_admin_token_stops_start_up()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("--Admin:Token=short", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        Assert.Contains("Admin:Token", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Triggers_at_once_build_once()
    {
        using var data = new SampleCopy();
        await using var factory = Factory(data);
        var first = await factory.ServedAsync();
        var reloader = factory.Services.GetRequiredService<DatasetReloader>();
        data.ChangeEstimates(4242);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => reloader.ReloadAsync(i % 2 == 0 ? ReloadTrigger.Admin : ReloadTrigger.Signal)));

        Assert.Single(results.Where(r => r.Outcome == "loaded").Select(r => r.Version).Distinct());
        Assert.All(results, r => Assert.NotEqual(first.Version, r.Version));
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { "loaded", "unchanged" }));
        var builds = factory.Logs.GetSnapshot().Count(r => r.Category == typeof(DatasetReloader).FullName && r.Message.Contains(" loaded (", StringComparison.Ordinal));
        Assert.Equal(2, builds); // start-up and one reload
    }

    [Fact]
    public async Task A_file_change_reloads_once_the_files_are_quiet_and_never_reads_a_half_written_file()
    {
        using var data = new SampleCopy();
        await using var factory = Factory(data, ("Dataset:Watch", "true"), ("Dataset:WatchQuietSeconds", "1.5"));
        var first = await factory.ServedAsync();
        var store = factory.Services.GetRequiredService<DatasetStore>();
        await Task.Delay(500); // the watch starts after the first load

        // Write the new CSV in two halves, 0.5 s apart (less than the quiet time): read after the first half, it
        // would fail (a truncated row), so a failed reload in the log would mean it was read half-written.
        data.ChangeEstimates(99_999);
        var bytes = File.ReadAllBytes(data.Estimates);
        await using (var stream = new FileStream(data.Estimates, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            await Task.Delay(500);
            Assert.Same(first, store.Current);
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (store.Current == first && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.NotSame(first, store.Current);
        var status = factory.Services.GetRequiredService<DatasetReloader>().Status;
        Assert.Equal("watch", status.LastTrigger);
        Assert.DoesNotContain(factory.Logs.GetSnapshot(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task After_a_reload_nothing_holds_the_old_dataset_so_the_collector_can_give_its_memory_back()
    {
        using var data = new SampleCopy();
        await using var factory = Factory(data);
        using var client = factory.CreateClient();
        var old = await UseThenReplaceAsync(factory, client, data);

        // Answers from the new dataset (tiles, lookups, features, metrics) must not keep the old one reachable either.
        foreach (var path in (string[])["/tiles/poverty/0/0/0.mvt", "/v1/lookup?lat=0&lon=0", "/collections/districts/items?limit=2", "/v1/dataset", "/metrics"])
        {
            (await client.GetAsync(path)).Dispose();
        }

        for (var i = 0; i < 20 && old.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(100);
        }

        Assert.False(old.IsAlive, "something still references the dataset served before the reload");
    }

    /// <summary>Serves requests from the first dataset, reloads, and returns only a weak reference to the first one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> UseThenReplaceAsync(TileServerFactory factory, HttpClient client, SampleCopy data)
    {
        var first = new WeakReference(await factory.ServedAsync());
        foreach (var path in (string[])["/tiles/poverty/0/0/0.mvt", "/v1/lookup?lat=0&lon=0", "/collections/districts/items?limit=2", "/v1/dataset", "/metrics"])
        {
            (await client.GetAsync(path)).Dispose();
        }

        data.ChangeEstimates(55_555);
        using var reload = await client.SendAsync(Reload());
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.NotSame(first.Target, factory.Services.GetRequiredService<DatasetStore>().Current);
        return first;
    }
}
