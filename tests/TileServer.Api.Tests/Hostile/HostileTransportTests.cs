using System.Net;
using System.Net.Sockets;
using System.Text;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Hostile;

/// <summary>
/// The transport category of the hostile-request suite (issue 17, defects 4, 5, 6), on Kestrel, with raw requests a
/// well-behaved client would not send: bodies over the limit, malformed chunks, stalled bodies, rejected batches on a
/// kept-alive connection, an empty <c>Host</c>.
/// </summary>
public sealed class HostileTransportTests : IAsyncLifetime
{
    private const int MaxBodyBytes = 4096;

    private KestrelServer _server = null!;

    public async Task InitializeAsync() => _server = await KestrelServer.StartAsync($"--Lookup:MaxBodyBytes={MaxBodyBytes}");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_declared_lookup_body_over_the_limit_is_413_naming_the_limit()
    {
        var answer = await RawAsync($"POST /v1/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {MaxBodyBytes + 1}\r\n\r\n{{\"points\":[");

        AssertProblem(answer, 413);
        Assert.Contains("Lookup:MaxBodyBytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_lookup_body_over_the_limit_is_413_naming_the_limit()
    {
        var points = string.Join(',', Enumerable.Repeat("[-74,-10]", MaxBodyBytes / 9 + 10));
        var body = $"{{\"points\":[{points}]}}";
        var answer = await RawAsync($"POST /v1/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:X}\r\n{body}\r\n0\r\n\r\n");

        AssertProblem(answer, 413);
        Assert.Contains("Lookup:MaxBodyBytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_chunk_size_is_400()
    {
        var answer = await RawAsync("POST /v1/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

        AssertProblem(answer, 400);
    }

    [Fact]
    public async Task A_stalled_lookup_body_is_408()
    {
        // Kestrel's minimum request body rate (240 B/s after a 5 s grace period) cuts the body; the answer is a problem.
        var answer = await RawAsync("POST /v1/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"points\":[", TimeSpan.FromSeconds(60));

        AssertProblem(answer, 408);
    }

    [Fact]
    public async Task A_request_with_an_empty_host_is_a_400_problem_when_urls_come_from_it()
    {
        var answer = await RawAsync("GET /tiles/poverty.json HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n");

        AssertProblem(answer, 400);
        Assert.DoesNotContain("http:///", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", "{\"points\": 5}")]
    [InlineData("application/json", "{\"points\": [[-74,-10]")]
    [InlineData("text/csv", "name,x\na,b\n")]
    public async Task A_rejected_batch_keeps_the_connection_usable(string contentType, string body)
    {
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{_server.Port}"), Timeout = TimeSpan.FromSeconds(60) };

        using var rejected = await client.PostAsync(new Uri("/v1/lookup", UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));
        await rejected.Content.ReadAsByteArrayAsync();
        using var next = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.False(rejected.Headers.ConnectionClose ?? false, "a rejected batch of a complete body closes the connection");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, connections);
    }

    // Kestrel answers its own limits with no body; the documented limits (half Kestrel's) are the server's, and
    // answer problem+json naming the limit. Defaults: request line 8192 bytes, headers 32768 bytes and 100 lines.
    [Fact]
    public async Task A_request_line_over_the_documented_limit_is_a_414_problem_naming_it()
    {
        var answer = await RawAsync($"GET /health/live?pad={new string('a', 8200)} HTTP/1.1\r\nHost: localhost\r\n\r\n");

        AssertProblem(answer, 414);
        Assert.Contains("Limits:MaxRequestLineBytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_line_just_under_the_documented_limit_is_answered()
    {
        // 8192 bytes in all: "GET " + target + " HTTP/1.1" + CRLF.
        var target = "/health/live?pad=" + new string('a', 8192 - 4 - 17 - 9 - 2);
        var answer = await RawAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_the_documented_size_are_a_431_problem_naming_the_limit()
    {
        var headers = string.Concat(Enumerable.Range(0, 3).Select(i => $"X-Pad-{i}: {new string('b', 12_000)}\r\n"));
        var answer = await RawAsync($"GET /health/live HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");

        AssertProblem(answer, 431);
        Assert.Contains("Limits:MaxRequestHeadersBytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_header_lines_than_documented_are_a_431_problem_naming_the_limit()
    {
        var headers = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-Pad-{i}: {i}\r\n"));
        var answer = await RawAsync($"GET /health/live HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");

        AssertProblem(answer, 431);
        Assert.Contains("Limits:MaxRequestHeaderCount", answer, StringComparison.Ordinal);
    }

    // What Kestrel must refuse itself, before the application runs, goes out without a body (documented in the README):
    // a request line past twice the documented limit, and HTTP that cannot be parsed.
    [Theory]
    [InlineData(414, "GET /health/live?pad={0} HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData(400, "GET /health/live HTTP/1.1 extra\r\nHost: localhost\r\n\r\n")]
    [InlineData(400, "GET /health/live HTTP/1.1\r\nHost localhost\r\n\r\n")]
    [InlineData(505, "GET /health/live HTTP/7.0\r\nHost: localhost\r\n\r\n")]
    public async Task What_kestrel_refuses_itself_has_its_status_and_no_body(int status, string request)
    {
        var answer = await RawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, request, new string('a', 17_000)));

        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 0", answer, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertProblem(string answer, int status)
    {
        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\"status\":{status}", answer, StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="request"/> as it is and reads the answer until the server closes the connection
    /// or stops sending for a while (a kept-alive connection).</summary>
    private async Task<string> RawAsync(string request, TimeSpan? wait = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var answer = new MemoryStream();
        var buffer = new byte[8192];
        using var overall = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                // After the first bytes, a second of silence ends the answer (the server may keep the connection).
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
                if (answer.Length > 0)
                {
                    quiet.CancelAfter(TimeSpan.FromSeconds(2));
                }

                var read = await stream.ReadAsync(buffer, quiet.Token);
                if (read == 0)
                {
                    break;
                }

                answer.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            // Silence: what came is the answer.
        }
        catch (IOException)
        {
            // Reset by the server after its answer.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
