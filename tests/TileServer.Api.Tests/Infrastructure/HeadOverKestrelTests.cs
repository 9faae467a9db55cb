using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>
/// "Every GET endpoint also answers HEAD (the same headers, no body)" on the wire: the server run as a process on
/// Kestrel (the in-process test server passes a body written for HEAD through; Kestrel must not).
/// </summary>
public class HeadOverKestrelTests
{
    [Fact]
    public async Task Head_on_every_get_route_of_a_real_server_has_the_get_headers_and_no_body()
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
        using var server = Process.Start(start)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitUntilReadyAsync(client, server);

            string[] paths =
            [
                "/health/live", "/health/ready", "/v1/dataset", "/v1/districts/010101", "/v1/provinces/0101", "/v1/departments/01",
                "/v1/aggregate?bbox=-75,-10,-74,-9", "/v1/aggregate?lat=-10&lon=-74&radiusKm=5", "/v1/lookup?lat=-10&lon=-74",
                "/tiles/poverty.json", "/tiles/poverty/0/0/0.mvt",
            ];
            foreach (var path in paths)
            {
                using var get = await client.GetAsync(path);
                using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

                Assert.True(get.StatusCode == head.StatusCode, $"{path}: GET {get.StatusCode}, HEAD {head.StatusCode}");
                Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
                Assert.True((await head.Content.ReadAsByteArrayAsync()).Length == 0, $"{path}: HEAD has a body");
                Assert.True((await get.Content.ReadAsByteArrayAsync()).Length > 0, $"{path}: GET has no body");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
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
