using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TileServer.Infrastructure;
using TileServer.Operations;

namespace TileServer.Benchmarks.Infrastructure;

/// <summary>
/// The request size rule (<see cref="RequestRules.UseRequestSizeRule"/>) that every request passes: <c>WholeRule</c> is
/// the middleware as the pipeline builds it, on a tile request's headers in Kestrel's own dictionary (whose enumerator
/// boxes behind <see cref="IHeaderDictionary"/>); <c>HeaderLines</c> is its header count alone, against the baseline
/// <c>EnumeratedHeaders</c>, the same count through the dictionary's enumerator as the rule counted before. Pins 0 B a
/// request without a body; with <c>Content-Length</c> Kestrel formats the number back into a string either way.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*RequestSizeRuleBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class RequestSizeRuleBenchmarks
{
    private RequestDelegate _pipeline = null!;
    private HttpContext _context = null!;
    private IHeaderDictionary _headers = null!;

    /// <summary>Whether the request has a body (a lookup batch POST) or not (a tile GET).</summary>
    [Params(false, true)]
    public bool WithContentLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        List<string> lines =
        [
            "Host: tiles.example.org",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Accept: */*",
            "Accept-Encoding: gzip, deflate, br, zstd",
            "Accept-Language: es-PE,es;q=0.9,en;q=0.8",
            "Referer: https://mapas.example.org/pobreza",
            "Origin: https://mapas.example.org",
            "If-None-Match: \"0123456789abcdef-gzip\"",
            "Sec-Fetch-Mode: cors",
            "X-Forwarded-For: 203.0.113.7",
        ];
        if (WithContentLength)
        {
            lines.Add("Content-Length: 2048");
        }

        _headers = KestrelRequestHeaders.Create(lines);
        var app = new ApplicationBuilder(new ServiceCollection().AddSingleton(Options.Create(new LimitsOptions())).BuildServiceProvider());
        app.UseRequestSizeRule();
        app.Run(_ => Task.CompletedTask);
        _pipeline = app.Build();

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = WithContentLength ? "POST" : "GET",
            Protocol = "HTTP/1.1",
            Path = "/tiles/districts/7/36/68.mvt",
            RawTarget = "/tiles/districts/7/36/68.mvt",
            Headers = _headers,
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        _context = new DefaultHttpContext(features);
    }

    [Benchmark]
    public Task WholeRule() => _pipeline(_context);

    [Benchmark]
    public long HeaderLines() => RequestRules.HeaderLines(_headers).Bytes;

    [Benchmark(Baseline = true)]
    public long EnumeratedHeaders()
    {
        var bytes = 0L;
        foreach (var (name, values) in _headers)
        {
            foreach (var value in values)
            {
                bytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return bytes;
    }
}
