using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace TileServer.Api.Tests.Support;

/// <summary>
/// The built server running as its own process (<c>dotnet TileServer.dll ...</c>) until disposed, for what only a
/// real process shows: signals (<c>SIGHUP</c>, <c>SIGTERM</c>), its exit code, and Kestrel on real ports. Its output
/// lines are kept.
/// </summary>
public sealed class ServerProcessHandle : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcessHandle(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>What the server printed so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the server with <paramref name="arguments"/> (one must be <c>--urls=http://127.0.0.1:PORT</c>) and waits until <c>/health/ready</c> answers 200.</summary>
    public static Task<ServerProcessHandle> StartAsync(params string[] arguments) =>
        StartAsync(new Dictionary<string, string>(), arguments);

    /// <param name="environment">Variables set for the process (e.g. <c>DOTNET_gcServer</c>).</param>
    /// <param name="arguments">As above.</param>
    public static async Task<ServerProcessHandle> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TileServer.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var handle = new ServerProcessHandle(Process.Start(start)!);
        try
        {
            return await WaitUntilReadyAsync(handle, arguments);
        }
        catch
        {
            // Never leave a server running behind a test that failed to start it.
            await handle.DisposeAsync();
            throw;
        }
    }

    private static async Task<ServerProcessHandle> WaitUntilReadyAsync(ServerProcessHandle handle, string[] arguments)
    {
        var url = arguments.Single(a => a.StartsWith("--urls=", StringComparison.Ordinal))["--urls=".Length..].Split(';')[0];
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            if (handle._process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {handle._process.ExitCode}: {handle.Output}");
            }

            try
            {
                using var ready = await client.GetAsync(url + "/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return handle;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too slow to answer on a loaded machine: ask again until the deadline.
            }

            if (DateTime.UtcNow > deadline)
            {
                await handle.DisposeAsync();
                throw new TimeoutException("the server did not become ready");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Sends a signal (<c>HUP</c>, <c>TERM</c>) with <c>kill</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>
    /// The server's <c>/v1/dataset</c> once its version is no longer <paramref name="served"/> (after a reload), asking
    /// every 200 ms for up to four minutes: CI runs the tests beside the other test projects on 2 cores.
    /// </summary>
    public async Task<JsonElement> DatasetAfterReloadAsync(HttpClient client, string? served)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        JsonElement dataset;
        do
        {
            await Task.Delay(200);
            dataset = await client.GetFromJsonAsync<JsonElement>("/v1/dataset");
        }
        while (dataset.GetProperty("version").GetString() == served && DateTime.UtcNow < deadline);

        Assert.True(served != dataset.GetProperty("version").GetString(), $"no new version four minutes after the reload began; reload {dataset.GetProperty("reload")}; server output:\n{Output}");
        return dataset;
    }

    /// <summary>The exit code, once the process has exited (within <paramref name="timeout"/>).</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
