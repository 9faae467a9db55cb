using System.Text;
using TileServer.Core.Json;

namespace TileServer.Core.Tests.Json;

/// <summary>The path and pointer a string that is not Unicode text is reported at, for bodies written here.</summary>
public class JsonStringCheckTests
{
    [Theory]
    [InlineData("""{"a":"\ud800"}""", "a", "/a")]
    [InlineData("""{"a":[1,{"b":["x","\udc00"]}]}""", "a[1].b[1]", "/a/1/b/1")]
    [InlineData("""{"\ud800":1}""", "", "")]
    [InlineData("""{"a":{"b":1,"\ud800":2}}""", "a", "/a")]
    [InlineData("""{"a":1,"b":{"c":2},"\ud800":3}""", "", "")]
    [InlineData("""["ok","\ud800"]""", "[1]", "/1")]
    public void A_lone_surrogate_is_reported_where_it_is(string json, string path, string pointer)
    {
        var e = Assert.Throws<InvalidJsonStringException>(() => JsonStringCheck.Validate(Encoding.UTF8.GetBytes(json), 64));

        Assert.Equal(path, e.Path);
        Assert.Equal(pointer, e.Pointer);
    }

    [Fact]
    public void Invalid_utf8_in_a_member_name_after_another_member_names_the_object()
    {
        byte[] json = [.. "{\"a\":{\"b\":1,\"c"u8, 0xFF, .. "\":2}}"u8];

        var e = Assert.Throws<InvalidJsonStringException>(() => JsonStringCheck.Validate(json, 64));

        Assert.Equal("a", e.Path);
        Assert.Contains("0xFF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicode_text_passes()
    {
        JsonStringCheck.Validate("""{"ñ":"\ud83d\ude00","a":["\u00f1",1,{"b":null}]}"""u8, 64);
    }
}
