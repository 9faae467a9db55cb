using System.Buffers;
using Microsoft.Extensions.Primitives;
using TileServer.Core.Dataset;
using TileServer.Core.Index;
using TileServer.Infrastructure;
using TileServer.Lookup;
using TileServer.Tiles;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>
/// The host's per-request helpers that claim to allocate nothing: the tile path's header parsing
/// (<c>Accept-Encoding</c>, <c>If-None-Match</c>), the request size rule's header count, and the lookup answer written
/// from precomputed bytes. Counted with <see cref="Allocations"/> over many calls; each case also checks the answer, so
/// that a helper that returns early cannot pass by doing nothing.
/// </summary>
public class HotPathAllocationTests
{
    private static readonly StringValues[] AcceptEncodings =
    [
        new("gzip, deflate, br"), new("br;q=1.0, gzip;q=0.8, *;q=0.1"), new("identity"), new("gzip;q=0"), new(["deflate", " GZIP "]), StringValues.Empty,
    ];

    [Fact]
    public void Parsing_accept_encoding_allocates_nothing()
    {
        var i = 0;
        var accepted = 0;
        var bytes = Allocations.Measure(() => accepted += TileEndpoints.AcceptsGzip(AcceptEncodings[i++ % AcceptEncodings.Length]) ? 1 : 0);

        Assert.Equal(0, bytes);
        Assert.Equal([true, true, false, false, true, false], AcceptEncodings.Select(TileEndpoints.AcceptsGzip));
    }

    [Fact]
    public void Matching_if_none_match_allocates_nothing()
    {
        const string etag = "\"0123456789abcdef-gzip\"";
        StringValues[] headers = [new("\"other\", W/\"0123456789abcdef-gzip\""), new("*"), new("\"0123456789abcdef\""), new(["\"a\"", "\"0123456789abcdef-gzip\""]), StringValues.Empty];
        var i = 0;
        var matched = 0;
        var bytes = Allocations.Measure(() => matched += TileEndpoints.Matches(headers[i++ % headers.Length], etag) ? 1 : 0);

        Assert.Equal(0, bytes);
        Assert.Equal([true, true, false, true, false], headers.Select(h => TileEndpoints.Matches(h, etag)));
    }

    [Fact]
    public void Counting_kestrels_request_headers_allocates_nothing()
    {
        // Oracle: the header lines as a browser sends them, measured as text (each with its CRLF); X-Forwarded-For
        // twice, as a proxy chain appends it, is two lines of one header.
        string[] lines =
        [
            "Host: tiles.example.org", "User-Agent: Mozilla/5.0 (X11; Linux x86_64)", "Accept: */*", "Accept-Encoding: gzip, br",
            "If-None-Match: \"0123456789abcdef-gzip\"", "X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.2", "Sec-Fetch-Mode: cors",
        ];
        var headers = KestrelRequestHeaders.Create(lines);
        var counted = (Bytes: 0L, Lines: 0);
        var bytes = Allocations.Measure(() => counted = RequestRules.HeaderLines(headers));

        Assert.Equal(0, bytes);
        Assert.Equal((lines.Sum(l => l.Length + 2L), lines.Length), counted);
    }

    [Fact]
    public void Writing_a_lookup_answer_from_precomputed_bytes_allocates_nothing()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "TileServer.sln")))
        {
            root = root.Parent!;
        }

        var snapshot = DatasetLoader.Load(new DatasetOptions
        {
            Districts = Path.Combine(root.FullName, "geodata", "sample", "districts.shp"),
            Estimates = Path.Combine(root.FullName, "geodata", "sample", "estimates.csv"),
        });
        var payloads = new LookupPayloads(snapshot);
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        DistrictMatch[] matches =
        [
            new(0, LookupMatch.Inside, 0), new(snapshot.Districts.Units.Count - 1, LookupMatch.Boundary, 0), new(1, LookupMatch.Nearest, 123.456),
        ];
        var i = 0;
        var bytes = Allocations.Measure(() =>
        {
            output.ResetWrittenCount();
            payloads.WriteJson(output, matches[i++ % matches.Length]);
        });

        Assert.Equal(0, bytes);
        output.ResetWrittenCount();
        payloads.WriteJson(output, matches[2]);
        var json = System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.StartsWith("{", json, StringComparison.Ordinal);
        Assert.EndsWith("\"match\":\"nearest\",\"distanceMeters\":123.46}", json, StringComparison.Ordinal);
        Assert.Contains($"\"code\":\"{snapshot.Districts.Units[1].Code}\"", json, StringComparison.Ordinal);
    }
}
