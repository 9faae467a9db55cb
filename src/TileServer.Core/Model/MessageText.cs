using System.Text;

namespace TileServer.Core.Model;

/// <summary>
/// Error messages that quote a request or a data file (a JSON parser's excerpt of the body, a CQL2 token, a CSV cell)
/// are shown as they are in a problem's <c>detail</c>, in logs and on a terminal: <see cref="SingleLine"/> keeps them
/// one line of printable text and bounded, whatever bytes the input held (found by fuzzing the request parsers,
/// issue 17). The one place every error type of Core passes its message through. Stateless, thread-safe.
/// </summary>
public static class MessageText
{
    /// <summary>Longest message: a quoted hostile value never floods a log line or a problem.</summary>
    public const int MaxLength = 1000;

    /// <summary><paramref name="message"/> with control characters shown as <c>\n</c>, <c>\r</c>, <c>\t</c> or
    /// <c>\uXXXX</c>, cut at <paramref name="maxLength"/> characters (<see cref="MaxLength"/> unless the caller has a
    /// bound of its own).</summary>
    public static string SingleLine(string message, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        if (message.Length <= maxLength && !message.AsSpan().ContainsAnyInRange('\0', '\u001F') && !message.Contains('\u007F', StringComparison.Ordinal))
        {
            return message;
        }

        var text = new StringBuilder(Math.Min(message.Length, maxLength) + 16);
        foreach (var c in message)
        {
            if (text.Length >= maxLength - 3)
            {
                return text.Append("...").ToString();
            }

            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append($"\\u{(int)c:X4}"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
