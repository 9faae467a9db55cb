using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TileServer.Api.Tests.Support;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Dataset;

/// <summary>
/// Reloads build on low-priority threads (README, "Operations: reload"): the nice value of each thread is read from
/// Linux's own account of it (<c>/proc/thread-self/stat</c>, <c>/proc/self/task/&lt;tid&gt;/stat</c>), not from what
/// the server asked for.
/// </summary>
public class ReloadSchedulerTests
{
    [Fact]
    public async Task Its_threads_and_their_parallel_work_run_at_the_nice_value_asked_and_the_result_comes_back_at_the_callers()
    {
        var callers = ProcThreads.Nice(File.ReadAllText("/proc/thread-self/stat"));
        using var scheduler = new ReloadScheduler(2, 13);

        var seen = await scheduler.RunAsync(() =>
        {
            var threads = new ConcurrentBag<(string Name, int Nice)>();
            // With the scheduler unset, as a load's loops have it: the loop runs on TaskScheduler.Current.
            Parallel.For(0, 64, new ParallelOptions { TaskScheduler = null }, _ =>
            {
                threads.Add((File.ReadAllText("/proc/thread-self/comm").Trim(), ProcThreads.Nice(File.ReadAllText("/proc/thread-self/stat"))));
                Thread.Sleep(1);
            });
            return threads;
        });

        Assert.Equal(64, seen.Count);
        Assert.All(seen, thread => Assert.Equal((ReloadScheduler.ThreadName, 13), thread));
        Assert.Equal(2, scheduler.ThreadsAtNiceness);
        Assert.Null(scheduler.PriorityError);

        // The continuation runs on a thread-pool thread at the caller's priority, not on a reload thread.
        Assert.Equal(callers, ProcThreads.Nice(File.ReadAllText("/proc/thread-self/stat")));
        Assert.NotEqual(ReloadScheduler.ThreadName, File.ReadAllText("/proc/thread-self/comm").Trim());
    }

    [Fact]
    public async Task A_work_item_that_throws_faults_the_task_with_its_exception()
    {
        using var scheduler = new ReloadScheduler(1, 19);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => scheduler.RunAsync<int>(() => throw new InvalidDataException("bad row")));

        Assert.Equal("bad row", e.Message);
    }

    [Fact]
    public async Task A_reload_builds_at_the_configured_nice_value_and_leaves_every_other_thread_at_the_process_priority()
    {
        const string token = "test-admin-token-0123456789";
        using var data = new SampleCopy();
        var settings = data.Settings();
        settings["Admin:Token"] = token;
        settings["Dataset:ReloadNiceness"] = "17";
        await using var factory = new TileServerFactory(settings);
        await factory.ServedAsync();
        using var client = factory.CreateClient();

        data.ChangeEstimates(4_321);
        using var reload = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/reload")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        });
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);

        var process = ProcThreads.Nice(File.ReadAllText("/proc/self/stat"));
        var threads = ProcThreads.All();
        // Other tests' schedulers may run in this process too, at their own nice values: only this one's is 17.
        Assert.Contains(threads, t => t.Name == ReloadScheduler.ThreadName && t.Nice == 17);
        // Under Server GC (this project's, as the server's) the GC's threads are its own; workstation GC, which the
        // runtime takes on one CPU whatever the setting, may start its background thread from a build thread, which
        // then keeps the build's nice value (the server warns: the test below).
        var otherThreads = threads.Where(t => t.Name != ReloadScheduler.ThreadName && (GCSettings.IsServerGC || t.Name != ".NET BGC"));
        Assert.All(otherThreads, t => Assert.True(t.Nice == process, $"thread {t.Id} ({t.Name}) at nice {t.Nice}"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public async Task A_reload_at_a_raised_nice_value_warns_under_workstation_gc_only(string gcServer)
    {
        using var data = new SampleCopy();
        var port = Operations.MetricsApiTests.FreePort();
        // Nice 1: raised, so the warning applies, and a build beside the rest of the test run still ends soon.
        await using var server = await ServerProcessHandle.StartAsync(
            new Dictionary<string, string> { ["DOTNET_gcServer"] = gcServer },
            $"--urls=http://127.0.0.1:{port}", $"--Dataset:Districts={data.Districts}", $"--Dataset:Estimates={data.Estimates}", "--Dataset:ReloadNiceness=1");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var first = (await client.GetFromJsonAsync<JsonElement>("/v1/dataset")).GetProperty("version").GetString();

        data.ChangeEstimates(2_718);
        await server.SignalAsync("HUP");
        await server.DatasetAfterReloadAsync(client, first);

        // The runtime takes workstation GC on one CPU even when Server GC is asked for.
        var workstation = gcServer == "0" || Environment.ProcessorCount == 1;
        Assert.Equal(workstation, server.Output.Contains("Reloads build at nice 1 under workstation GC", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_nice_value_outside_0_to_19_stops_the_server_naming_the_key()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Dataset:ReloadNiceness"] = "20" });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Dataset:ReloadNiceness must be between 0 and 19, got 20", error.Failures);
    }

    /// <summary>Linux's per-thread accounts: <c>proc(5)</c>, where the nice value is field 19 of <c>stat</c>.</summary>
    private static class ProcThreads
    {
        public static int Nice(string stat)
        {
            // Field 2 (the name, in parentheses) may hold spaces: count the fields after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
        }

        public static List<(string Id, string Name, int Nice)> All()
        {
            var threads = new List<(string, string, int)>();
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    threads.Add((Path.GetFileName(task), File.ReadAllText(Path.Combine(task, "comm")).Trim(), Nice(File.ReadAllText(Path.Combine(task, "stat")))));
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }

            return threads;
        }
    }
}
