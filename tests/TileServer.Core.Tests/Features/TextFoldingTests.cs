using TileServer.Core.Features;

namespace TileServer.Core.Tests.Features;

public class TextFoldingTests
{
    [Theory]
    [InlineData("ASUNCIÓN", "ASUNCION")]
    [InlineData("Ñandú", "Nandu")]
    [InlineData("débárquér", "debarquer")]
    [InlineData("São João Çà", "Sao Joao Ca")]
    [InlineData("ASUNCIO\u0301N", "ASUNCION")]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("Straße Οδος", "Straße Οδος")]
    public void Accents_are_removed_and_nothing_else(string input, string expected) => Assert.Equal(expected, TextFolding.RemoveAccents(input));

    [Fact]
    public void Case_folding_covers_non_ascii_letters() => Assert.Equal("ñandú οδοσ", TextFolding.CaseFold("ÑANDÚ ΟΔΟΣ"));
}
