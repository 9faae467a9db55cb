using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TileServer.Core.Dataset;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Support;

/// <summary>
/// The server in process over a given configuration (none: the embedded sample). <see cref="ReadyAsync"/> waits for
/// the background load, so that tests see a loaded dataset; <see cref="Logs"/> holds what the server logged.
/// </summary>
public class TileServerFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // No drain when a test disposes its server (Shutdown:DrainSeconds is for load balancers), unless a test asks.
        builder.UseSetting("Shutdown:DrainSeconds", "0");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddFakeLogging());
    }

    public async Task<DatasetSnapshot> ReadyAsync() => (await ServedAsync()).Snapshot;

    /// <summary>The dataset served once the first load has ended, with what the host derived from it.</summary>
    public async Task<ServedDataset> ServedAsync()
    {
        _ = Server;
        // A bound against a hung load, not a speed check (load times are benchmarks): Peru loads in seconds alone, but a
        // Debug build beside the Core tests' own Peru loads on 2 cores shared with other jobs took over 3 minutes.
        var store = Services.GetRequiredService<DatasetStore>();
        await store.FirstLoad.WaitAsync(TimeSpan.FromMinutes(10));
        return store.Current!;
    }
}

/// <summary>One server over the real Peru data, shared by every test class in the <see cref="PeruCollection"/>.</summary>
public sealed class PeruServerFixture : IAsyncLifetime
{
    public TileServerFactory? Factory { get; private set; }

    public HttpClient Client => (Factory ?? throw new InvalidOperationException(PeruData.AbsentReason)).CreateClient();

    public DatasetSnapshot Snapshot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!PeruData.Available)
        {
            return;
        }

        Factory = new TileServerFactory(new Dictionary<string, string?>
        {
            ["Dataset:Districts"] = PeruData.File("districts.shp"),
            ["Dataset:Estimates"] = PeruData.File("poverty.csv"),
        });
        Snapshot = await Factory.ReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PeruCollection : ICollectionFixture<PeruServerFixture>
{
    public const string Name = "Peru server";
}

/// <summary>One server over the embedded sample (no configuration at all), shared by the <see cref="SampleCollection"/>.</summary>
public sealed class SampleServerFixture : IAsyncLifetime
{
    public TileServerFactory Factory { get; } = new(new Dictionary<string, string?>());

    public HttpClient Client => Factory.CreateClient();

    public DatasetSnapshot Snapshot { get; private set; } = null!;

    public async Task InitializeAsync() => Snapshot = await Factory.ReadyAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SampleCollection : ICollectionFixture<SampleServerFixture>
{
    public const string Name = "Sample server";
}

public static class ProblemAssert
{
    /// <summary>Asserts an RFC 7807 response with the status, and returns its body.</summary>
    public static async Task<ProblemBody> IsProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await response.Content.LoadIntoBufferAsync(); // so that a test can read the body again
        var body = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.NotNull(body);
        Assert.Equal(status, body.Status);
        Assert.False(string.IsNullOrWhiteSpace(body.Title));
        return body;
    }
}

public sealed record ProblemBody(string? Type, string? Title, int Status, string? Detail);
