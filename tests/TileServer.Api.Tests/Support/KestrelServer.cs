using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TileServer.Api.Tests.Support;

/// <summary>
/// The built server run as its own process on Kestrel, on a free loopback port, over the embedded sample: for what the
/// in-process test server does not do as Kestrel does (HEAD bodies, connections, body transport errors).
/// </summary>
public sealed class KestrelServer : IAsyncDisposable
{
    private readonly Process _process;

    private KestrelServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts the server with <paramref name="arguments"/> added to its command line and waits until it is ready.</summary>
    public static async Task<KestrelServer> StartAsync(params string[] arguments)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TileServer.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new KestrelServer(process, port);
        try
        {
            using var client = server.CreateClient();
            await WaitUntilReadyAsync(client, process);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, Process server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, $"the server exited with code {(server.HasExited ? server.ExitCode : 0)}");
            try
            {
                using var ready = await client.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail("the server was not ready within 2 minutes");
    }
}
