using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using TileServer.Core.Json;
using TileServer.Core.Model;

namespace TileServer.Core.Lookup;

/// <summary>
/// The points of a batch lookup request, in input order: coordinates, an optional id (raw JSON) and an error per row
/// (a row with an error is answered as such, not dropped). Filled by <see cref="BatchJsonParser"/> or
/// <see cref="CsvBatch"/>; read by the host, which answers each row.
/// </summary>
/// <remarks>Thread safety: filled by one reader, then only read.</remarks>
public sealed class BatchPoints
{
    public List<double> Lons { get; } = [];

    public List<double> Lats { get; } = [];

    /// <summary>The row's <c>id</c> as JSON bytes (string or number), or null.</summary>
    public List<byte[]?> Ids { get; } = [];

    /// <summary>What is wrong with the row, or null.</summary>
    public List<string?> Errors { get; } = [];

    public int Count => Lons.Count;

    /// <summary>Adds a row; a row given without an error still gets one when its coordinates break <see cref="CoordinateRules"/>.</summary>
    public void Add(double lon, double lat, byte[]? id, string? error)
    {
        if (error is null)
        {
            error = CoordinateRules.Check("lon", lon) ?? CoordinateRules.Check("lat", lat);
        }

        Lons.Add(lon);
        Lats.Add(lat);
        Ids.Add(id);
        Errors.Add(error);
    }
}

/// <summary>The rule for a coordinate, shared by single and batch lookups: finite, latitude within ±90, longitude within ±180.</summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class CoordinateRules
{
    /// <summary>Null when the value is a usable latitude (<paramref name="name"/> "lat") or longitude, else why not.</summary>
    public static string? Check(string name, double value)
    {
        var limit = name == "lat" ? 90 : 180;
        if (!double.IsFinite(value))
        {
            return $"{name} must be a finite number";
        }

        return value < -limit || value > limit ? $"{name} must be between -{limit} and {limit}, got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : null;
    }
}

/// <summary>
/// The request body is not a batch; the message says where. It may quote the body (a CSV header), and goes into a
/// problem's <c>detail</c> and a log line, so it is kept one printable line of bounded length
/// (<see cref="MessageText.SingleLine"/>).
/// </summary>
public sealed class BatchFormatException : Exception
{
    public BatchFormatException()
    {
    }

    public BatchFormatException(string message)
        : base(MessageText.SingleLine(message))
    {
    }

    public BatchFormatException(string message, Exception innerException)
        : base(MessageText.SingleLine(message), innerException)
    {
    }
}

/// <summary>The request holds more points than allowed.</summary>
public sealed class BatchTooLargeException : Exception
{
    public BatchTooLargeException(int limit)
        : base($"more than {limit} points") => Limit = limit;

    public BatchTooLargeException()
    {
    }

    public BatchTooLargeException(string message)
        : base(message)
    {
    }

    public BatchTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The most points a batch may hold.</summary>
    public int Limit { get; }
}

/// <summary>
/// Reads <c>{"points": [[lon, lat], ...]}</c> or <c>{"points": [{"id": .., "lon": .., "lat": ..}, ...]}</c> from a
/// <see cref="PipeReader"/> as it arrives, with <see cref="Utf8JsonReader"/> in incremental mode (the body is never
/// held whole). Other root properties are ignored. A malformed row is recorded with its error, not thrown; a body
/// that is not JSON or not of this shape throws <see cref="BatchFormatException"/>.
/// </summary>
/// <remarks>
/// A state machine over the reader's tokens, carried across the segments of the body by <see cref="JsonReaderState"/>;
/// every string (member names included) is checked to be Unicode text by <see cref="JsonStringCheck"/>. Memory is
/// proportional to the points read, bounded by <c>maxPoints</c>. Thread safety: one instance per body.
/// </remarks>
public sealed class BatchJsonParser
{
    private enum State
    {
        Root,
        RootObject,
        PointsExpected,
        Points,
        RowArray,
        RowObject,
        RowObjectValue,
        Skip,
        Done,
    }

    private readonly int _maxPoints;
    private readonly BatchPoints _points = new();
    private readonly JsonStringCheck _strings = new();
    private State _state = State.Root;
    private State _afterSkip;
    private int _skipDepth;
    private int _rowNumbers;
    private double _lon = double.NaN;
    private double _lat = double.NaN;
    private byte[]? _id;
    private string? _rowError;
    private string? _property;
    private bool _hasLon;
    private bool _hasLat;

    private BatchJsonParser(int maxPoints) => _maxPoints = maxPoints;

    /// <summary>Reads the whole body.</summary>
    /// <exception cref="BatchFormatException">The body is not JSON, not a batch, or holds a string that is not Unicode text.</exception>
    /// <exception cref="BatchTooLargeException">More than <paramref name="maxPoints"/> points.</exception>
    public static async Task<BatchPoints> ReadAsync(PipeReader body, int maxPoints, CancellationToken cancellationToken)
    {
        var parser = new BatchJsonParser(maxPoints);
        var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        long waitFor = 0;
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var consumed = buffer.Start;
            if (buffer.Length < waitFor && !read.IsCompleted)
            {
                // A token longer than what has come so far (a long string): parsing again only once the buffer has
                // doubled keeps the re-reading of its start linear in its length, not quadratic (as System.Text.Json's
                // own streaming deserializer grows its buffer).
                body.AdvanceTo(consumed, buffer.End);
                continue;
            }

            try
            {
                var used = parser.Consume(buffer, read.IsCompleted, ref state);
                consumed = buffer.GetPosition(used);
                waitFor = used == 0 ? 2 * buffer.Length : 0;
            }
            catch (JsonException e)
            {
                consumed = buffer.End;
                throw new BatchFormatException($"the body is not valid JSON: {e.Message}", e);
            }
            catch (InvalidJsonStringException e)
            {
                consumed = buffer.End;
                throw new BatchFormatException(e.Message.TrimEnd('.'));
            }
            finally
            {
                // Handed back whatever happens: a read left open makes the server's drain of the unread body fail
                // ("Reading is already in progress") and drops the keep-alive connection (issue 17, defect 5).
                body.AdvanceTo(consumed, buffer.End);
            }

            if (read.IsCompleted)
            {
                break;
            }
        }

        if (parser._state != State.Done)
        {
            throw new BatchFormatException("the body must be a JSON object with a \"points\" array");
        }

        return parser._points;
    }

    /// <summary>
    /// Reads the tokens complete in <paramref name="buffer"/>, from one contiguous span: a body in several segments is
    /// copied into a pooled array first. <see cref="Utf8JsonReader"/>'s multi-segment mode throws
    /// <see cref="IndexOutOfRangeException"/> on an invalid literal split across segments (<c>[tru</c> | <c>e-]</c>;
    /// found by fuzzing, .NET 10.0.12), which would be a 500, and System.Text.Json's streaming deserializer reads
    /// contiguous buffers too.
    /// </summary>
    private long Consume(ReadOnlySequence<byte> buffer, bool final, ref JsonReaderState state)
    {
        if (buffer.IsSingleSegment)
        {
            return Consume(buffer.FirstSpan, final, ref state);
        }

        var length = checked((int)buffer.Length);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.CopyTo(copy);
            return Consume(copy.AsSpan(0, length), final, ref state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private long Consume(ReadOnlySpan<byte> span, bool final, ref JsonReaderState state)
    {
        var reader = new Utf8JsonReader(span, final, state);
        while (reader.Read())
        {
            _strings.Visit(ref reader);
            Token(ref reader);
        }

        state = reader.CurrentState;
        return reader.BytesConsumed;
    }

    private void Token(ref Utf8JsonReader reader)
    {
        var token = reader.TokenType;
        switch (_state)
        {
            case State.Root:
                _state = token == JsonTokenType.StartObject ? State.RootObject : throw new BatchFormatException("the body must be a JSON object with a \"points\" array");
                break;
            case State.RootObject:
                if (token == JsonTokenType.EndObject)
                {
                    throw new BatchFormatException("the body has no \"points\" array");
                }

                if (reader.ValueTextEquals("points"u8))
                {
                    _state = State.PointsExpected;
                }
                else
                {
                    BeginSkip(State.RootObject);
                }

                break;
            case State.PointsExpected:
                _state = token == JsonTokenType.StartArray ? State.Points : throw new BatchFormatException("\"points\" must be an array");
                break;
            case State.Points:
                StartRow(ref reader, token);
                break;
            case State.RowArray:
                RowArrayToken(ref reader, token);
                break;
            case State.RowObject:
                if (token == JsonTokenType.EndObject)
                {
                    var missing = !_hasLon ? "lon" : !_hasLat ? "lat" : null;
                    EndRow(missing is null ? null : $"the point has no \"{missing}\"");
                }
                else
                {
                    _property = reader.ValueTextEquals("lon"u8) ? "lon" : reader.ValueTextEquals("lat"u8) ? "lat" : reader.ValueTextEquals("id"u8) ? "id" : null;
                    _state = State.RowObjectValue;
                }

                break;
            case State.RowObjectValue:
                RowObjectValue(ref reader, token);
                break;
            case State.Skip:
                if (token is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    _skipDepth++;
                }
                else if (token is JsonTokenType.EndArray or JsonTokenType.EndObject)
                {
                    _skipDepth--;
                }

                if (_skipDepth == 0 && token is not JsonTokenType.PropertyName)
                {
                    _state = _afterSkip;
                }

                break;
            case State.Done:
                if (token is not JsonTokenType.EndObject || reader.CurrentDepth != 0)
                {
                    BeginSkip(State.Done);
                    Token(ref reader);
                }

                break;
        }
    }

    /// <summary>Skips the value whose first token comes next (a property's value).</summary>
    private void BeginSkip(State after)
    {
        _afterSkip = after;
        _skipDepth = 0;
        _state = State.Skip;
    }

    private void StartRow(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (token == JsonTokenType.EndArray)
        {
            _state = State.Done;
            return;
        }

        if (_points.Count >= _maxPoints)
        {
            throw new BatchTooLargeException(_maxPoints);
        }

        _rowNumbers = 0;
        _lon = _lat = double.NaN;
        _id = null;
        _rowError = null;
        _hasLon = _hasLat = false;
        switch (token)
        {
            case JsonTokenType.StartArray:
                _state = State.RowArray;
                break;
            case JsonTokenType.StartObject:
                _state = State.RowObject;
                break;
            default:
                _points.Add(double.NaN, double.NaN, null, "a point must be [lon, lat] or {\"lon\": .., \"lat\": ..}");
                break;
        }
    }

    private void RowArrayToken(ref Utf8JsonReader reader, JsonTokenType token)
    {
        switch (token)
        {
            case JsonTokenType.EndArray:
                EndRow(_rowNumbers == 2 ? null : "a point must be [lon, lat] with two numbers");
                break;
            case JsonTokenType.Number:
                if (_rowNumbers == 0)
                {
                    _lon = Number(ref reader, "lon");
                }
                else if (_rowNumbers == 1)
                {
                    _lat = Number(ref reader, "lat");
                }

                _rowNumbers++;
                break;
            case JsonTokenType.StartArray or JsonTokenType.StartObject:
                _rowError ??= "a point must be [lon, lat] with two numbers";
                BeginSkip(State.RowArray);
                Token(ref reader);
                break;
            default:
                _rowError ??= $"{(_rowNumbers == 0 ? "lon" : "lat")} must be a number";
                _rowNumbers++;
                break;
        }
    }

    private void RowObjectValue(ref Utf8JsonReader reader, JsonTokenType token)
    {
        _state = State.RowObject;
        switch (_property)
        {
            case "lon" or "lat" when token == JsonTokenType.Number:
                var value = Number(ref reader, _property);
                (_lon, _hasLon, _lat, _hasLat) = _property == "lon" ? (value, true, _lat, _hasLat) : (_lon, _hasLon, value, true);
                return;
            case "lon" or "lat":
                _rowError ??= $"{_property} must be a number";
                (_hasLon, _hasLat) = _property == "lon" ? (true, _hasLat) : (_hasLon, true);
                break;
            case "id" when token == JsonTokenType.Number:
                _id = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                return;
            case "id" when token == JsonTokenType.String:
                _id = Encoding.UTF8.GetBytes("\"" + JsonEncodedText.Encode(reader.GetString()!).ToString() + "\"");
                return;
            case "id":
                _rowError ??= "id must be a string or a number";
                break;
        }

        if (token is JsonTokenType.StartArray or JsonTokenType.StartObject)
        {
            BeginSkip(State.RowObject);
            Token(ref reader);
        }
    }

    private double Number(ref Utf8JsonReader reader, string name)
    {
        if (reader.TryGetDouble(out var value) && double.IsFinite(value))
        {
            return value;
        }

        _rowError ??= $"{name} must be a finite number";
        return double.NaN;
    }

    private void EndRow(string? error)
    {
        _points.Add(_lon, _lat, _id, _rowError ?? error);
        _state = State.Points;
    }
}
