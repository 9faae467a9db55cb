using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TileServer.Dataset;
using TileServer.Metrics;
using TileServer.Core.Lookup;

namespace TileServer.Lookup;

/// <summary>
/// The answer to a batch lookup, written as it is computed from the precomputed bytes of the dataset the request
/// started on (<see cref="LookupPayloads"/>): JSON <c>{"results": [...]}</c> in input order, or the request's CSV with
/// the district columns appended.
/// </summary>
internal sealed class LookupBatchResult : IResult
{
    private const int FlushThreshold = 64 * 1024;

    private readonly ServedDataset _dataset;
    private readonly BatchPoints _points;
    private readonly CsvBatch? _csv;

    private LookupBatchResult(ServedDataset dataset, BatchPoints points, CsvBatch? csv)
    {
        _dataset = dataset;
        _points = points;
        _csv = csv;
    }

    public static LookupBatchResult Json(ServedDataset dataset, BatchPoints points) => new(dataset, points, null);

    public static LookupBatchResult Csv(ServedDataset dataset, CsvBatch batch) => new(dataset, batch.Points, batch);

    /// <summary>Points answered so far per <see cref="Core.Index.LookupMatch"/>, for the metrics.</summary>
    private readonly int[] _matches = new int[4];

    /// <summary>
    /// Writes the answer within <see cref="LookupOptions.MaxResponseSeconds"/> (issue 17, defect 13): Kestrel's minimum
    /// response data rate (240 B/s) would let a reader that stops reading hold the largest batch's answer (about
    /// 17 MB) and its buffers for hours. Past the deadline the connection is aborted, so that the client sees a cut
    /// answer, never a complete-looking one, and the server logs it.
    /// </summary>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var seconds = _dataset.LookupOptions.MaxResponseSeconds;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            await (_csv is null ? WriteJsonAsync(httpContext, deadline.Token) : WriteCsvAsync(httpContext, _csv, deadline.Token));
        }
        catch (OperationCanceledException) when (!httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.RequestServices.GetRequiredService<ILogger<LookupBatchResult>>().LogWarning(
                "A batch answer of {Points} points was not read within {Seconds} s (Lookup:MaxResponseSeconds); the connection is aborted",
                _points.Count, seconds);
            httpContext.Abort();
        }
        finally
        {
            httpContext.RequestServices.GetRequiredService<ServerMetrics>().BatchLookedUp(_matches, _points.Count);
        }
    }

    /// <summary><c>{"results": [...]}</c> in input order: an answer, <c>null</c> (no district within the snap
    /// distance) or <c>{"index": i, "error": ".."}</c> for a bad row; an <c>id</c> given with a point is echoed.</summary>
    private async Task WriteJsonAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var payloads = _dataset.LookupPayloads;
        var locator = _dataset.Snapshot.Locator;
        var maxSnapMetres = _dataset.LookupOptions.MaxSnapMetres;
        var points = _points;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var writer = response.BodyWriter;
        Write(writer, "{\"results\":["u8);
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0)
            {
                Write(writer, ","u8);
            }

            var id = points.Ids[i];
            if (points.Errors[i] is { } error)
            {
                Write(writer, "{\"index\":"u8);
                WriteNumber(writer, i);
                if (id is not null)
                {
                    Write(writer, ",\"id\":"u8);
                    Write(writer, id);
                }

                Write(writer, ",\"error\":\""u8);
                Write(writer, JsonEncodedText.Encode(error, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes);
                Write(writer, "\"}"u8);
            }
            else
            {
                var match = locator.Locate(points.Lons[i], points.Lats[i], maxSnapMetres);
                _matches[(int)match.Match]++;
                if (!match.Found)
                {
                    Write(writer, "null"u8);
                }
                else if (id is null)
                {
                    payloads.WriteJson(writer, match);
                }
                else
                {
                    Write(writer, "{\"id\":"u8);
                    Write(writer, id);
                    Write(writer, ","u8);
                    var prefix = payloads.Json[match.District].AsSpan(1);
                    var span = writer.GetSpan(prefix.Length + 64);
                    prefix.CopyTo(span);
                    writer.Advance(prefix.Length + LookupPayloads.WriteMatchTail(span[prefix.Length..], match));
                }
            }

            if (writer.UnflushedBytes > FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        Write(writer, "]}"u8);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Each input record with the district columns, match, distance and error appended.</summary>
    private async Task WriteCsvAsync(HttpContext context, CsvBatch batch, CancellationToken cancellationToken)
    {
        var payloads = _dataset.LookupPayloads;
        var locator = _dataset.Snapshot.Locator;
        var maxSnapMetres = _dataset.LookupOptions.MaxSnapMetres;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        var writer = response.BodyWriter;
        WriteText(writer, batch.Header);
        Write(writer, payloads.CsvHeader);
        Write(writer, "\r\n"u8);
        var points = batch.Points;
        for (var i = 0; i < points.Count; i++)
        {
            WriteText(writer, batch.Records[i]);
            if (points.Errors[i] is { } error)
            {
                Write(writer, payloads.CsvEmpty);
                Write(writer, ",,,"u8);
                WriteText(writer, LookupPayloads.CsvField(error));
            }
            else
            {
                var match = locator.Locate(points.Lons[i], points.Lats[i], maxSnapMetres);
                _matches[(int)match.Match]++;
                Write(writer, match.Found ? payloads.Csv[match.District] : payloads.CsvEmpty);
                Write(writer, ","u8);
                WriteText(writer, LookupPayloads.MatchName(match.Match));
                Write(writer, ","u8);
                var span = writer.GetSpan(32);
                Math.Round(match.DistanceMetres, 2).TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
                writer.Advance(written);
                Write(writer, ","u8);
            }

            Write(writer, "\r\n"u8);
            if (writer.UnflushedBytes > FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static void WriteText(PipeWriter writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void Write(PipeWriter writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private static void WriteNumber(PipeWriter writer, int value)
    {
        var span = writer.GetSpan(11);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }
}
