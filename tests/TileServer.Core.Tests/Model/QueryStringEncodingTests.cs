using System.Text;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Model;

/// <summary>
/// A query string is accepted exactly when each name and value, percent-decoded, is UTF-8: checked against the raw
/// bytes run through <see cref="UTF8Encoding"/> with exceptions on invalid bytes (the oracle), for text written here.
/// </summary>
public class QueryStringEncodingTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("?", true)]
    [InlineData("?lat=-10&lon=-74", true)]
    [InlineData("?q=%C3%B1and%C3%BA", true)]
    [InlineData("?q=%F0%9F%98%80", true)]
    [InlineData("?q=100%25&r=100%&s=%zz", true)]
    [InlineData("?q=%ff", false)]
    [InlineData("?q=%C3", false)]
    [InlineData("?q=%C3a", false)]
    [InlineData("?q=%ED%A0%80", false)]
    [InlineData("?q=%C0%AF", false)]
    [InlineData("?q%C3=%B1", false)]
    [InlineData("?a=1&b=%80&c=2", false)]
    public void A_query_is_accepted_exactly_when_every_name_and_value_decodes_as_utf8(string query, bool utf8)
    {
        Assert.Equal(utf8, QueryStringEncoding.IsUtf8(query, out _));
        Assert.Equal(utf8, OracleIsUtf8(query));
    }

    [Theory]
    [InlineData("?a=1&filter=%ED%A0%80&c=2", "filter")]
    [InlineData("?a=1&na%FFme=x", "na%FFme")]
    [InlineData("?bbox%C3", "bbox%C3")]
    public void The_offending_parameter_is_named_as_sent(string query, string name)
    {
        Assert.False(QueryStringEncoding.IsUtf8(query, out var at));
        Assert.Equal(name, query[at]);
    }

    /// <summary>Each name and value's bytes (escapes decoded, other characters as ASCII), decoded strictly.</summary>
    private static bool OracleIsUtf8(string query)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            foreach (var part in pair.Split('=', 2))
            {
                var bytes = new List<byte>();
                for (var i = 0; i < part.Length; i++)
                {
                    if (part[i] == '%' && i + 2 < part.Length && Uri.IsHexDigit(part[i + 1]) && Uri.IsHexDigit(part[i + 2]))
                    {
                        bytes.Add(Convert.ToByte(part.Substring(i + 1, 2), 16));
                        i += 2;
                    }
                    else
                    {
                        bytes.Add((byte)part[i]);
                    }
                }

                try
                {
                    strict.GetString(bytes.ToArray());
                }
                catch (DecoderFallbackException)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
