using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using TileServer.Core.Dataset;
using TileServer.Core.Features;
using TileServer.Core.Lookup;
using TileServer.Core.Model;
using TileServer.Testing;

namespace TileServer.Fuzz;

/// <summary>
/// The request-parser targets that need more than the bytes (issue 17): the lookup batch parsers, fed the way Kestrel
/// feeds them, and the query-string parsers, run against the embedded sample's collections.
/// </summary>
/// <remarks>
/// <para><c>batch-json</c> and <c>batch-csv</c>: the first input byte is a control byte, the rest is the body. Its low
/// four bits give the size of the segments the body arrives in (1-16 bytes, through a <see cref="PipeReader"/> over a
/// stream that returns at most that much per read, as a slow client's packets do); for CSV, bits 4-5 pick the charset
/// (UTF-8, ISO-8859-1, windows-1252, US-ASCII). Contract: the parser succeeds or throws
/// <see cref="BatchFormatException"/> or <see cref="BatchTooLargeException"/> with a one-line message, and the body
/// read in segments gives exactly what the body read whole gives (the same rows, ids and errors, or the same error):
/// the parsers carry their state across segments, and that is where an incremental parser goes wrong. (A JSON syntax
/// error is compared by kind only: System.Text.Json's message and position depend on the segments.)</para>
/// <para><c>params</c>: the input is a query string (<c>name=value&amp;...</c>, URL-decoded as a form is). Contract: a
/// query that is not UTF-8 is refused by <see cref="QueryStringEncoding"/> naming a parameter's name (as the server
/// does first); else the OGC <c>items</c> parameters (<see cref="FeatureQuery.Parse"/>: limit, offset, bbox, bbox-crs, crs, datetime,
/// filter, filter-lang, filter-crs, sortby, properties, queryables) parse and the matches are computed, or a
/// <see cref="FeatureQueryException"/> names a parameter of the request in one line; the single-feature parameters
/// (<see cref="FeatureQuery.ParseOutput"/>) likewise.</para>
/// <para>All three are held to the readers' allocation bound (<see cref="ReaderTargets.AllocationBound"/>) and to
/// AFL++'s time limit.</para>
/// </remarks>
public static class RequestTargets
{
    public static readonly string[] Names = ["batch-json", "batch-csv", "params"];

    /// <summary>Points a fuzzed batch may hold: small, so that the limit's error path is reached too.</summary>
    public const int MaxPoints = 64;

    private static Charset[] Charsets = [];

    private static FeatureSet? Districts;

    /// <summary>Resolves the batch charsets and loads the sample's districts (the <c>params</c> target's), once, before fuzzing starts.</summary>
    public static void Prepare(string target, string sample)
    {
        Charsets = [.. new[] { "utf-8", "iso-8859-1", "windows-1252", "us-ascii" }.Select(name => Charset.Find(name) ?? throw new InvalidOperationException($"the batch charset {name} is not found"))];
        if (target == "params")
        {
            var snapshot = DatasetLoader.Load(new DatasetOptions
            {
                Districts = Path.Combine(sample, "districts.shp"),
                Estimates = Path.Combine(sample, "estimates.csv"),
                CleanCoverage = false,
            });
            Districts = snapshot.Features.Find("districts");
        }
    }

    /// <exception cref="ContractViolationException">A parser broke the contract.</exception>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        switch (target)
        {
            case "batch-json":
            case "batch-csv":
                Batch(target == "batch-csv", input);
                break;
            case "params":
                Params(input);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, $"targets: {string.Join(", ", Names)}");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > ReaderTargets.AllocationBound(input.Length))
        {
            throw new ContractViolationException($"allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (bound {ReaderTargets.AllocationBound(input.Length):N0})");
        }
    }

    private static void Batch(bool csv, ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var control = input[0];
        var body = input[1..].ToArray();
        var charset = Charsets[(control >> 4) & 3];
        var whole = ReadBatch(csv, charset, body, body.Length + 1);
        var segmented = ReadBatch(csv, charset, body, 1 + (control & 15));
        if (whole != segmented)
        {
            throw new ContractViolationException($"read in segments of {1 + (control & 15)} bytes the body gives{Environment.NewLine}{segmented}{Environment.NewLine}read whole{Environment.NewLine}{whole}");
        }
    }

    /// <summary>What the parser made of the body, as text to compare: each row, or the error.</summary>
    private static string ReadBatch(bool csv, Charset charset, byte[] body, int segment)
    {
        var reader = SegmentedStream.Reader(body, segment);
        try
        {
            var text = new StringBuilder();
            BatchPoints points;
            if (csv)
            {
                var batch = CsvBatch.ReadAsync(reader, charset, MaxPoints, CancellationToken.None).GetAwaiter().GetResult();
                if (batch.Records.Count != batch.Points.Count)
                {
                    throw new ContractViolationException($"{batch.Records.Count} records but {batch.Points.Count} points");
                }

                text.Append(batch.Header).Append('\n');
                foreach (var record in batch.Records)
                {
                    text.Append(record).Append('\n');
                }

                points = batch.Points;
            }
            else
            {
                points = BatchJsonParser.ReadAsync(reader, MaxPoints, CancellationToken.None).GetAwaiter().GetResult();
            }

            for (var i = 0; i < points.Count; i++)
            {
                var id = points.Ids[i] is { } bytes ? Encoding.UTF8.GetString(bytes) : "-";
                text.Append(FormattableString.Invariant($"{points.Lons[i]:R} {points.Lats[i]:R} {id} {points.Errors[i]}\n"));
            }

            return text.ToString();
        }
        catch (BatchFormatException e)
        {
            OneLine(e);

            // System.Text.Json quotes the invalid token with what follows it in the segment at hand, and its byte
            // position drifts when a token or comment spans segments (seen by this target: byte 84 of a 30-byte
            // body), so a syntax error is compared by kind only.
            return e.InnerException is JsonException
                ? "BatchFormatException: not JSON"
                : "BatchFormatException: " + e.Message;
        }
        catch (BatchTooLargeException e)
        {
            OneLine(e);
            return "BatchTooLargeException: " + e.Message;
        }
    }

    private static void Params(ReadOnlySpan<byte> input)
    {
        var set = Districts ?? throw new InvalidOperationException("Prepare loads the sample before params runs");
        var query = Encoding.UTF8.GetString(input);

        // The server's first rule on a query (RequestRules.UseUtf8Parameters): a parameter that is not UTF-8 is
        // refused, naming it, before any route parses it.
        if (!QueryStringEncoding.IsUtf8(query, out var at))
        {
            var (offset, length) = at.GetOffsetAndLength(query.Length);
            var name = query.AsSpan(offset, length);
            if (name.Contains('&') || (offset > 0 && query[offset - 1] != '&' && query[offset - 1] != '?'))
            {
                throw new ContractViolationException($"the parameter named at {offset}..{offset + length} is not a parameter's name: '{name}'");
            }

            return;
        }

        var parameters = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : WebUtility.UrlDecode(pair[(equals + 1)..]);
            var index = parameters.FindIndex(p => p.Key == name);
            if (index < 0)
            {
                parameters.Add(new(name, [value]));
            }
            else
            {
                parameters[index] = new(name, [.. parameters[index].Value, value]);
            }
        }

        var names = parameters.Select(p => MessageText.SingleLine(p.Key)).ToHashSet(StringComparer.Ordinal);
        try
        {
            _ = FeatureQuery.Parse(set, parameters, new FeatureLimits()).Matches();
        }
        catch (FeatureQueryException e)
        {
            NamesAParameter(e, names);
        }

        try
        {
            _ = FeatureQuery.ParseOutput(set, parameters);
        }
        catch (FeatureQueryException e)
        {
            NamesAParameter(e, names);
        }
    }

    /// <summary>A parameter error is one line and names a parameter of the request (<c>filter</c> for <c>filter-lang</c> and <c>filter-crs</c> without one).</summary>
    private static void NamesAParameter(FeatureQueryException e, HashSet<string> names)
    {
        OneLine(e);
        if (!names.Contains(e.Parameter) && !(e.Parameter == "filter" && (names.Contains("filter-lang") || names.Contains("filter-crs"))))
        {
            throw new ContractViolationException($"the error names '{e.Parameter}', not a parameter of the request: {e.Message}", e);
        }
    }

    private static void OneLine(Exception e)
    {
        if (e.Message.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ContractViolationException($"a message of several lines: {e.Message}", e);
        }
    }
}
