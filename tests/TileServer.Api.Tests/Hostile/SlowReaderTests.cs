using System.Net;
using System.Net.Sockets;
using System.Text;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Hostile;

/// <summary>
/// Issue 17, defect 13: a reader that reads a batch answer more slowly than it can be written (yet above Kestrel's
/// minimum response rate of 240 B/s) is cut off at <c>Lookup:MaxResponseSeconds</c>, on Kestrel.
/// </summary>
public sealed class SlowReaderTests
{
    [Fact]
    public async Task A_batch_answer_not_read_within_MaxResponseSeconds_is_cut_off()
    {
        await using var server = await KestrelServer.StartAsync("--Lookup:MaxResponseSeconds=2");
        var id = new string('x', 1000);
        var body = Encoding.ASCII.GetBytes("{\"points\":[" + string.Join(',', Enumerable.Repeat($"{{\"id\":\"{id}\",\"lon\":-74,\"lat\":-10}}", 10_000)) + "]}");
        using var tcp = new TcpClient { ReceiveBufferSize = 4096 };
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        await stream.WriteAsync(body);

        // About 2 KB/s, eight times Kestrel's minimum rate: the 10 MB answer (every id is echoed) would take over an hour.
        var received = 0L;
        var buffer = new byte[200];
        var ended = false;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (!bound.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer, bound.Token);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                received += read;
                await Task.Delay(100, bound.Token);
            }
        }
        catch (IOException)
        {
            ended = true;
        }
        catch (OperationCanceledException)
        {
            // The bound passed with the connection still open: the assertion below fails.
        }

        Assert.True(ended, $"the connection was still open after 2 minutes, {received} bytes read");
        Assert.True(received < body.Length, $"{received} bytes read of an answer longer than {body.Length}");
    }
}
