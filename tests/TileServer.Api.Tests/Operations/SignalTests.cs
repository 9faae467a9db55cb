using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Operations;

/// <summary>
/// What only a real process shows: <c>SIGHUP</c> reloads (and does not end the process), and <c>SIGTERM</c> shuts down
/// gracefully (README, "Operations: shutdown"): readiness 503 at once, answers during the drain with
/// <c>Connection: close</c>, the request in flight finished, exit code 0.
/// </summary>
public class SignalTests
{
    [Fact]
    public async Task Sighup_reloads_the_changed_files_and_the_server_keeps_running()
    {
        using var data = new SampleCopy();
        var port = MetricsApiTests.FreePort();
        // At normal priority: this test is about the signal, and a low-priority reload beside the rest of the test
        // run may wait minutes for a core (ReloadSchedulerTests pins the priority).
        await using var server = await ServerProcessHandle.StartAsync($"--urls=http://127.0.0.1:{port}", $"--Dataset:Districts={data.Districts}", $"--Dataset:Estimates={data.Estimates}", "--Dataset:ReloadNiceness=0");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var first = (await client.GetFromJsonAsync<JsonElement>("/v1/dataset")).GetProperty("version").GetString();

        data.ChangeEstimates(31_337);
        await server.SignalAsync("HUP");
        var dataset = await server.DatasetAfterReloadAsync(client, first);

        Assert.Equal("signal", dataset.GetProperty("reload").GetProperty("lastTrigger").GetString());
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Sigterm_turns_readiness_503_at_once_keeps_answering_for_the_drain_finishes_in_flight_and_exits_0()
    {
        var port = MetricsApiTests.FreePort();
        await using var server = await ServerProcessHandle.StartAsync($"--urls=http://127.0.0.1:{port}", "--Shutdown:DrainSeconds=2", "--Shutdown:TimeoutSeconds=20");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };

        // A request in flight across the whole shutdown: a batch lookup whose body arrives slowly, over the drain.
        var slowBody = new SlowContent("{\"points\":[[0,80],"u8.ToArray(), "[0,81]]}"u8.ToArray(), TimeSpan.FromSeconds(4));
        var inFlight = client.PostAsync("/v1/lookup", slowBody);
        await slowBody.FirstPartSent;

        var clock = Stopwatch.StartNew();
        await server.SignalAsync("TERM");
        HttpStatusCode readiness;
        TimeSpan? retryAfter;
        do
        {
            using var ready = await client.GetAsync("/health/ready");
            readiness = ready.StatusCode;
            retryAfter = ready.Headers.RetryAfter?.Delta;
        }
        while (readiness == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.True(retryAfter > TimeSpan.Zero, "the shutting-down readiness 503 has no Retry-After");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"readiness turned 503 after {clock.Elapsed}");

        // Still answering during the drain, asking keep-alive clients to go.
        using var during = await client.GetAsync("/tiles/poverty/0/0/0.mvt");
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.True(during.Headers.ConnectionClose, "no Connection: close while draining");

        using var answer = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"results\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2), "the in-flight request should outlast the drain");

        Assert.Equal(0, await server.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/health/live"));
    }

    /// <summary>A body sent in two parts with a pause between them.</summary>
    private sealed class SlowContent : HttpContent
    {
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly byte[] _first;
        private readonly byte[] _rest;
        private readonly TimeSpan _pause;

        public SlowContent(byte[] first, byte[] rest, TimeSpan pause)
        {
            (_first, _rest, _pause) = (first, rest, pause);
            Headers.ContentType = new("application/json");
        }

        public Task FirstPartSent => _firstSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_first);
            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await Task.Delay(_pause);
            await stream.WriteAsync(_rest);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _first.Length + _rest.Length;
            return true;
        }
    }
}
