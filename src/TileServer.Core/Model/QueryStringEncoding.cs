using System.Buffers;
using System.Text;

namespace TileServer.Core.Model;

/// <summary>
/// Whether every parameter of a raw query string (<c>?a=1&amp;b=%C3%B1</c>, as it came on the request line) is
/// percent-encoded UTF-8 (RFC 3986, section 2.5). Decoders elsewhere replace a byte sequence that is not UTF-8
/// (<c>%FF</c>, an encoded surrogate <c>%ED%A0%80</c>) with U+FFFD and carry on, so a filter or a name would be
/// silently answered for text the client never sent; the server refuses it instead, as it refuses such bytes in a body.
/// </summary>
/// <remarks>
/// <para>Algorithm: one pass over the characters; the bytes of consecutive <c>%XX</c> escapes are fed to
/// <see cref="Rune.DecodeFromUtf8"/> as they come (at most four pending), and a sequence left unfinished by a literal
/// character, a separator or the end is invalid too. Names and values are checked separately, as they are decoded.
/// Literal characters are left alone: the request line is ASCII. Allocates nothing.</para>
/// <para>Thread safety: stateless.</para>
/// </remarks>
public static class QueryStringEncoding
{
    /// <summary>True when every name and value decodes as UTF-8; else false, and <paramref name="name"/> is where
    /// the first offending parameter's raw (still encoded) name lies in <paramref name="query"/>.</summary>
    public static bool IsUtf8(ReadOnlySpan<char> query, out Range name)
    {
        name = default;
        var start = query.StartsWith('?') ? 1 : 0;
        while (start < query.Length)
        {
            var length = query[start..].IndexOf('&');
            var end = length < 0 ? query.Length : start + length;
            var pair = query[start..end];
            var equals = pair.IndexOf('=');
            var nameEnd = equals < 0 ? end : start + equals;
            if (!DecodesAsUtf8(query[start..nameEnd]) || (equals >= 0 && !DecodesAsUtf8(pair[(equals + 1)..])))
            {
                name = start..nameEnd;
                return false;
            }

            start = end + 1;
        }

        return true;
    }

    private static bool DecodesAsUtf8(ReadOnlySpan<char> text)
    {
        Span<byte> pending = stackalloc byte[4];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                pending[count++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
                switch (Rune.DecodeFromUtf8(pending[..count], out _, out _))
                {
                    case OperationStatus.Done:
                        count = 0;
                        break;
                    case OperationStatus.NeedMoreData:
                        break;
                    default:
                        return false;
                }
            }
            else if (count > 0)
            {
                return false;
            }
        }

        return count == 0;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
