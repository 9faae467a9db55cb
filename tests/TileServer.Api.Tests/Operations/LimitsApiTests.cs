using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Operations;

/// <summary>
/// The <c>Limits</c> section (README, "Operations: limits") on a real Kestrel socket: heavy routes beyond their permits
/// and queue answer 429 problem with <c>Retry-After</c> while cheap routes answer; a heavy request past its timeout
/// answers 503 problem; per-route body sizes; the request header timeout that ends a slowloris connection.
/// </summary>
public class LimitsApiTests
{
    private static async Task<(TileServerFactory Factory, HttpClient Client)> KestrelAsync(params (string Key, string Value)[] settings)
    {
        var factory = new TileServerFactory(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        factory.UseKestrel(0);
        factory.StartServer();
        await factory.Services.GetRequiredService<TileServer.Dataset.DatasetStore>().FirstLoad.WaitAsync(TimeSpan.FromMinutes(5));
        var address = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return (factory, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    private const string Square = """{"type":"Polygon","coordinates":[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-9.9],[-74,-10]]]}""";

    [Fact]
    public async Task Heavy_requests_beyond_the_permits_and_queue_are_429_problem_with_Retry_After_and_tiles_still_answer()
    {
        var (factory, client) = await KestrelAsync(("Limits:ComputeConcurrency", "1"), ("Limits:ComputeQueue", "1"), ("Limits:RetryAfterSeconds", "2"));
        await using var _ = factory;
        using var __ = client;

        // The first holds the one permit (its body arrives slowly), of the next two one waits in the queue and the
        // other is refused (which is which depends on which reaches the limiter first on a busy machine).
        var holder = new PausedContent(Square, TimeSpan.FromSeconds(4));
        var first = client.PostAsync("/v1/aggregate", holder);
        await holder.FirstPartSent;
        await Task.Delay(1000);
        var second = client.PostAsync("/v1/aggregate", new StringContent(Square, Encoding.UTF8, "application/json"));
        await Task.Delay(500);
        var third = client.PostAsync("/v1/aggregate", new StringContent(Square, Encoding.UTF8, "application/json"));
        var refusedTask = await Task.WhenAny(second, third);
        using var refused = await refusedTask;
        using var tile = await client.GetAsync("/tiles/poverty/0/0/0.mvt");
        using var lookup = await client.GetAsync("/v1/lookup?lat=80&lon=0");

        var problem = await ProblemAssert.IsProblemAsync(refused, 429);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("retry", problem.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.False(first.IsCompleted);
        using var firstAnswer = await first;
        using var queuedAnswer = await (refusedTask == second ? third : second);
        Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, queuedAnswer.StatusCode);
    }

    [Fact]
    public async Task A_heavy_request_past_its_timeout_answers_503_problem_not_a_hung_socket()
    {
        // The body rate limit (408) waits longer than the test, so only the request timeout can answer: a 503 is its answer.
        var (factory, client) = await KestrelAsync(("Limits:ComputeTimeoutSeconds", "1"), ("Limits:MinRequestBodyGraceSeconds", "120"));
        await using var _ = factory;
        using var __ = client;
        using var socket = new TcpClient();
        await socket.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var stream = socket.GetStream();
        var clock = Stopwatch.StartNew();

        // Half the body, then nothing: the handler waits on the body until the timeout cancels it.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/aggregate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Square.Length}\r\n\r\n{Square[..10]}"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var status = await reader.ReadLineAsync(give.Token);
        var headers = new List<string>();
        for (var line = await reader.ReadLineAsync(give.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(give.Token))
        {
            headers.Add(line);
        }

        Assert.Equal("HTTP/1.1 503 Service Unavailable", status);
        Assert.Contains(headers, h => h.Equals("Content-Type: application/problem+json", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(headers, h => h.StartsWith("Retry-After: ", StringComparison.OrdinalIgnoreCase) && int.Parse(h["Retry-After: ".Length..], System.Globalization.CultureInfo.InvariantCulture) > 0);
        // Not before the timeout; the upper bound is loose because the shared test machine can be very busy.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 30);
    }

    [Fact]
    public async Task The_batch_lookup_has_its_own_body_limit_and_other_routes_the_default()
    {
        var (factory, client) = await KestrelAsync(("Limits:LookupBatchBodyBytes", "2000"), ("Limits:MaxRequestBodyBytes", "100"));
        await using var _ = factory;
        using var __ = client;
        string Points(int n) => "{\"points\":[" + string.Join(',', Enumerable.Repeat("[0,80]", n)) + "]}";

        using var small = await client.PostAsync("/v1/lookup", new StringContent(Points(200), Encoding.UTF8, "application/json"));
        using var large = await client.PostAsync("/v1/lookup", new StringContent(Points(400), Encoding.UTF8, "application/json"));
        using var largeUnannounced = await client.PostAsync("/v1/lookup", new ChunkedContent(Points(400)));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        await ProblemAssert.IsProblemAsync(large, 413);
        await ProblemAssert.IsProblemAsync(largeUnannounced, 413);
    }

    [Fact]
    public async Task Aggregation_and_targeting_bodies_are_bounded_by_their_own_limits_not_the_default()
    {
        var (factory, client) = await KestrelAsync(("Limits:MaxRequestBodyBytes", "100"), ("Aggregation:MaxBodyBytes", "4096"));
        await using var _ = factory;
        using var __ = client;

        // Over Limits:MaxRequestBodyBytes, under Aggregation:MaxBodyBytes: answered (a department's polygon is larger
        // than the default 64 KiB); over Aggregation:MaxBodyBytes: 413 problem.
        using var padded = await client.PostAsync("/v1/aggregate", new StringContent(Square + new string(' ', 2000), Encoding.UTF8, "application/json"));
        using var tooLarge = await client.PostAsync("/v1/aggregate", new StringContent(Square + new string(' ', 5000), Encoding.UTF8, "application/json"));
        using var targeting = await client.PostAsync("/v1/targeting", new StringContent("{\"rules\":[{\"threshold\":50}]}" + new string(' ', 2000), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, padded.StatusCode);
        await ProblemAssert.IsProblemAsync(tooLarge, 413);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, targeting.StatusCode);
    }

    [Fact]
    public async Task A_client_dribbling_header_bytes_is_cut_off_at_the_request_header_timeout()
    {
        var (factory, client) = await KestrelAsync(("Limits:RequestHeadersTimeoutSeconds", "2"));
        await using var _ = factory;
        using var __ = client;
        using var socket = new TcpClient();
        await socket.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var stream = socket.GetStream();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync("GET /health/live HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var closed = false;
        try
        {
            for (var i = 0; i < 40 && !closed; i++)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"X-Slow-{i}: a\r\n"));
                await Task.Delay(250);
                if (socket.Available > 0)
                {
                    var buffer = new byte[4096];
                    var read = await stream.ReadAsync(buffer);
                    Assert.Contains("408", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
                    closed = true;
                }
            }
        }
        catch (IOException)
        {
            closed = true;
        }

        Assert.True(closed, "the connection was still open after 10 s of dribbled headers");
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
    }

    [Fact]
    public async Task Kestrel_takes_its_limits_from_the_Limits_section()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?>
        {
            ["Limits:MaxConcurrentConnections"] = "123",
            ["Limits:MinResponseBytesPerSecond"] = "1000",
            ["Limits:MinResponseGraceSeconds"] = "7",
            ["Limits:KeepAliveTimeoutSeconds"] = "61",
        });
        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(123, kestrel.MaxConcurrentConnections);
        Assert.Equal(1000, kestrel.MinResponseDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(7), kestrel.MinResponseDataRate.GracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(61), kestrel.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), kestrel.RequestHeadersTimeout);
        Assert.Equal(64 * 1024, kestrel.MaxRequestBodySize);
    }

    [Theory]
    [InlineData("Limits:ComputeQueue", "-1")]
    [InlineData("Limits:RequestHeadersTimeoutSeconds", "0")]
    [InlineData("Shutdown:DrainSeconds", "-5")]
    [InlineData("Metrics:Urls", "http://127.0.0.1")]
    public async Task An_invalid_operations_value_stops_start_up_naming_the_key(string key, string value)
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync($"--{key}={value}", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        Assert.Contains(key, stderr, StringComparison.Ordinal);
    }

    /// <summary>A JSON body of which half is sent at once and the rest after a pause.</summary>
    internal sealed class PausedContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly TimeSpan _pause;
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PausedContent(string body, TimeSpan pause)
        {
            (_body, _pause) = (Encoding.UTF8.GetBytes(body), pause);
            Headers.ContentType = new("application/json");
        }

        public Task FirstPartSent => _firstSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, _body.Length / 2));
            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await Task.Delay(_pause);
            await stream.WriteAsync(_body.AsMemory(_body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }

    /// <summary>A JSON body sent chunked, without Content-Length.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(string body)
        {
            _body = Encoding.UTF8.GetBytes(body);
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
