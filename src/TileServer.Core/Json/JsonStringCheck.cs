using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TileServer.Core.Json;

/// <summary>A JSON string (a member name or a value) of a request body that is not Unicode text.</summary>
public sealed class InvalidJsonStringException : Exception
{
    public InvalidJsonStringException(string path, string pointer, string message)
        : base(message)
    {
        Path = path;
        Pointer = pointer;
    }

    public InvalidJsonStringException()
    {
    }

    public InvalidJsonStringException(string message)
        : base(message)
    {
    }

    public InvalidJsonStringException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The JSON path of the string (<c>features[2].properties.name</c>); empty for the root value.</summary>
    public string Path { get; } = string.Empty;

    /// <summary>The same place as a JSON Pointer (RFC 6901: <c>/features/2/properties/name</c>).</summary>
    public string Pointer { get; } = string.Empty;
}

/// <summary>
/// Checks that every JSON string a <see cref="Utf8JsonReader"/> reads, member names included, is Unicode text, and
/// follows the reader's position as a JSON path so that the error can say where: <c>features[2].properties.name</c>.
/// </summary>
/// <remarks>
/// <para><see cref="Utf8JsonReader"/> checks JSON syntax but not the text inside strings: bytes that are not UTF-8
/// (<c>0xFF</c>) and escapes of half a UTF-16 surrogate pair (<c>"\ud800"</c>) both pass <c>Read</c>, and fail only
/// later, when the string is decoded (<see cref="InvalidOperationException"/>, a 500 before this check) or written
/// out again (replaced by U+FFFD, so a request's id came back changed). RFC 8259, section 8.2, leaves such strings'
/// behaviour unpredictable; every JSON body the server reads is checked here first, and refused with the path.</para>
/// <para>Call <see cref="Visit"/> after each successful <c>Read</c>, in order, across the segments of a body read
/// incrementally. Unescaped strings are checked with <see cref="Utf8.IsValid"/> (vectorised, no allocation); escaped
/// ones are decoded, which is where a lone surrogate shows. Member names are kept in per-depth buffers reused from
/// name to name, so following the path allocates only while the nesting grows.</para>
/// <para>Thread safety: one reader's; not to be shared.</para>
/// </remarks>
public sealed class JsonStringCheck
{
    /// <summary>One frame per depth, reused: frames above <see cref="_depth"/> are spare.</summary>
    private readonly List<Frame> _frames = [];
    private int _depth;

    /// <summary>The path of the value the reader is in (<c>points[3]</c> inside the fourth point); empty at the root.</summary>
    public string Path => Format(pointer: false);

    /// <summary>The same place as a JSON Pointer (<c>/points/3</c>).</summary>
    public string Pointer => Format(pointer: true);

    /// <summary>
    /// Checks every string of a whole body and returns; a body that is not well-formed JSON is left to the caller's
    /// parser, which names the syntax error (this check stops at it silently).
    /// </summary>
    /// <exception cref="InvalidJsonStringException">A string is not Unicode text.</exception>
    public static void Validate(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 1, CommentHandling = JsonCommentHandling.Skip });
        var check = new JsonStringCheck();
        try
        {
            while (reader.Read())
            {
                check.Visit(ref reader);
            }
        }
        catch (JsonException)
        {
            // Syntax and depth are the caller's parser's to report, with its own wording.
        }
    }

    /// <summary>Follows the token the reader is on and checks it when it is a string or a member name.</summary>
    /// <exception cref="InvalidJsonStringException">The string is not Unicode text; the message names its path.</exception>
    public void Visit(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                if (Problem(ref reader) is { } nameProblem)
                {
                    // The object's path: the frame still holds the member read before this one, which is not where
                    // the bad name is ({"a":1,"\ud800":2} is the body's fault, not "a"'s).
                    _frames[_depth - 1].NameLength = -1;
                    var where = Path;
                    throw new InvalidJsonStringException(where, Pointer,
                        $"A member name {(where.Length == 0 ? "of the body" : $"in {where}")} {nameProblem}; JSON text must be Unicode (RFC 8259, section 8).");
                }

                var frame = _frames[_depth - 1];
                var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                if (frame.Name.Length < length)
                {
                    frame.Name = new byte[Math.Max(length, 2 * frame.Name.Length)];
                }

                if (reader.HasValueSequence)
                {
                    reader.ValueSequence.CopyTo(frame.Name);
                }
                else
                {
                    reader.ValueSpan.CopyTo(frame.Name);
                }

                frame.NameLength = length;
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                NextElement();
                Push(reader.TokenType == JsonTokenType.StartArray);
                break;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                _depth--;
                break;
            case JsonTokenType.String:
                NextElement();
                if (Problem(ref reader) is { } valueProblem)
                {
                    var where = Path;
                    throw new InvalidJsonStringException(where, Pointer,
                        $"The string {(where.Length == 0 ? "that is the body" : $"at {where}")} {valueProblem}; JSON text must be Unicode (RFC 8259, section 8).");
                }

                break;
            case JsonTokenType.Comment or JsonTokenType.None:
                break;
            default:
                NextElement();
                break;
        }
    }

    private string Format(bool pointer)
    {
        var path = new StringBuilder();
        foreach (var frame in _frames.Take(_depth))
        {
            if (frame.IsArray)
            {
                var index = Math.Max(frame.Index, 0);
                _ = pointer ? path.Append('/').Append(index) : path.Append('[').Append(index).Append(']');
            }
            else if (frame.NameLength >= 0)
            {
                var name = Encoding.UTF8.GetString(frame.Name, 0, frame.NameLength);
                _ = pointer ? path.Append('/').Append(name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))
                    : path.Append(path.Length > 0 ? "." : string.Empty).Append(name);
            }
        }

        return path.ToString();
    }

    /// <summary>What is wrong with the string or name the reader is on, or null when it is Unicode text.</summary>
    private static string? Problem(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            if (!reader.HasValueSequence)
            {
                return Utf8.IsValid(reader.ValueSpan) ? null : InvalidUtf8(reader.ValueSpan);
            }

            // A character may straddle two segments: check the string whole.
            var whole = reader.ValueSequence.ToArray();
            return Utf8.IsValid(whole) ? null : InvalidUtf8(whole);
        }

        try
        {
            reader.GetString();
            return null;
        }
        catch (InvalidOperationException)
        {
            return "holds an escape of half a UTF-16 surrogate pair (such as \\ud800 without the \\udc00..\\udfff that must follow it), or bytes that are not UTF-8";
        }
    }

    private static string InvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length && Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return $"is not UTF-8 (byte 0x{(at < bytes.Length ? bytes[at] : 0):X2} at byte {at + 1} of the string)";
    }

    private void NextElement()
    {
        if (_depth > 0 && _frames[_depth - 1].IsArray)
        {
            _frames[_depth - 1].Index++;
        }
    }

    private void Push(bool isArray)
    {
        if (_depth == _frames.Count)
        {
            _frames.Add(new Frame());
        }

        var frame = _frames[_depth++];
        frame.IsArray = isArray;
        frame.Index = -1;
        frame.NameLength = -1;
    }

    private sealed class Frame
    {
        public bool IsArray;
        public int Index;
        public byte[] Name = [];
        public int NameLength;
    }
}
