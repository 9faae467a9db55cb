using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace TileServer.Core.Features.Cql2;

/// <summary>
/// Parses CQL2 text (OGC 21-065r2, clause 8 and the BNF of Annex A) into <see cref="CqlNode"/>s: boolean
/// <c>AND</c>/<c>OR</c>/<c>NOT</c> and parentheses; the comparisons <c>= &lt;&gt; &lt; &lt;= &gt; &gt;=</c>;
/// <c>[NOT] LIKE</c>, <c>[NOT] BETWEEN .. AND ..</c>, <c>[NOT] IN (..)</c>, <c>IS [NOT] NULL</c>; function calls
/// (<c>CASEI</c>, <c>ACCENTI</c>, <c>S_INTERSECTS</c>, ...); character, numeric and boolean literals; property names,
/// bare or double-quoted; WKT geometry literals (parsed by NTS <see cref="WKTReader"/>) and <c>BBOX(..)</c>.
/// Keywords are case-insensitive. Arithmetic, arrays and temporal literals are rejected with their position.
/// </summary>
/// <remarks>
/// A hand-written recursive-descent parser: no .NET CQL2 library exists, and the grammar needed here is small.
/// Nesting is bounded (<see cref="MaxDepth"/>) so that hostile input cannot exhaust the stack.
/// Thread safety: stateless; each call uses its own parser instance.
/// </remarks>
public sealed class Cql2TextParser
{
    public const int MaxDepth = 64;

    private static readonly HashSet<string> GeometryKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
    };

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL",
    };

    private readonly string _text;
    private int _position;
    private int _depth;

    private Cql2TextParser(string text) => _text = text;

    /// <exception cref="CqlException">The text is not a CQL2 boolean expression; the message names the position.</exception>
    public static CqlNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Cql2TextParser(text);
        var node = parser.ParseOr();
        var end = parser.Next();
        if (end.Kind != TokenKind.End)
        {
            throw new CqlException($"unexpected {end.Describe()} after a complete expression", CqlLocation.At(end.Start + 1));
        }

        return node;
    }

    private CqlNode ParseOr()
    {
        var first = ParseAnd();
        List<CqlNode>? operands = null;
        while (PeekKeyword("OR"))
        {
            Next();
            (operands ??= [first]).Add(ParseAnd());
        }

        return operands is null ? first : new CqlOr(operands, first.Location);
    }

    private CqlNode ParseAnd()
    {
        var first = ParseNot();
        List<CqlNode>? operands = null;
        while (PeekKeyword("AND"))
        {
            Next();
            (operands ??= [first]).Add(ParseNot());
        }

        return operands is null ? first : new CqlAnd(operands, first.Location);
    }

    private CqlNode ParseNot()
    {
        if (PeekKeyword("NOT"))
        {
            var not = Next();
            Enter(not);
            var operand = ParseNot();
            _depth--;
            return new CqlNot(operand, CqlLocation.At(not.Start + 1));
        }

        return ParsePredicate();
    }

    private CqlNode ParsePredicate()
    {
        var start = Peek();
        if (start.Kind == TokenKind.LeftParen)
        {
            Next();
            Enter(start);
            var inner = ParseOr();
            _depth--;
            Expect(TokenKind.RightParen, "')' closing the parenthesis opened", start);
            return inner;
        }

        var left = ParseScalar();
        var token = Peek();
        if (token.Kind == TokenKind.Operator)
        {
            Next();
            var right = ParseScalar();
            return new CqlComparison(CqlComparisonOperators.Parse(token.Value)!.Value, left, right, left.Location);
        }

        var negated = false;
        if (token.IsKeyword("NOT"))
        {
            Next();
            negated = true;
            token = Peek();
            if (!token.IsKeyword("LIKE") && !token.IsKeyword("BETWEEN") && !token.IsKeyword("IN"))
            {
                throw Error($"expected LIKE, BETWEEN or IN after NOT, found {token.Describe()}", token);
            }
        }

        CqlNode? predicate = null;
        if (token.IsKeyword("LIKE"))
        {
            Next();
            predicate = new CqlLike(left, ParseScalar(), left.Location);
        }
        else if (token.IsKeyword("BETWEEN"))
        {
            Next();
            var low = ParseScalar();
            var and = Peek();
            if (!and.IsKeyword("AND"))
            {
                throw Error($"expected AND between the bounds of BETWEEN, found {and.Describe()}", and);
            }

            Next();
            predicate = new CqlBetween(left, low, ParseScalar(), left.Location);
        }
        else if (token.IsKeyword("IN"))
        {
            Next();
            var open = Expect(TokenKind.LeftParen, "'(' opening the IN list", token);
            var list = new List<CqlNode> { ParseScalar() };
            while (Peek().Kind == TokenKind.Comma)
            {
                Next();
                list.Add(ParseScalar());
            }

            Expect(TokenKind.RightParen, "')' closing the IN list opened", open);
            predicate = new CqlIn(left, list, left.Location);
        }
        else if (token.IsKeyword("IS"))
        {
            Next();
            var not = PeekKeyword("NOT");
            if (not)
            {
                Next();
            }

            var nullToken = Next();
            if (!nullToken.IsKeyword("NULL"))
            {
                throw Error($"expected NULL after IS{(not ? " NOT" : "")}, found {nullToken.Describe()}", nullToken);
            }

            var isNull = new CqlIsNull(left, left.Location);
            return not ? new CqlNot(isNull, left.Location) : isNull;
        }

        if (predicate is not null)
        {
            return negated ? new CqlNot(predicate, left.Location) : predicate;
        }

        // A boolean-valued scalar on its own: TRUE, FALSE, a boolean property or a function (S_INTERSECTS(..)).
        return left;
    }

    private CqlNode ParseScalar()
    {
        var token = Next();
        var location = CqlLocation.At(token.Start + 1);
        switch (token.Kind)
        {
            case TokenKind.String:
                return new CqlLiteral(token.Value, location);
            case TokenKind.Number:
                return new CqlLiteral(Number(token), location);
            case TokenKind.Sign:
                var number = Next();
                if (number.Kind != TokenKind.Number)
                {
                    throw Error($"expected a number after '{token.Value}', found {number.Describe()}", number);
                }

                var value = Number(number);
                return new CqlLiteral(token.Value == "-" ? -value : value, location);
            case TokenKind.QuotedIdentifier:
                return new CqlProperty(token.Value, location);
            case TokenKind.Identifier:
                return Identifier(token, location);
            case TokenKind.LeftParen:
                throw Error("a parenthesis is not allowed here (arithmetic expressions are not supported)", token);
            case TokenKind.LeftBracket:
                throw Error("arrays are not supported", token);
            default:
                throw Error($"expected a property, literal or function, found {token.Describe()}", token);
        }
    }

    private CqlNode Identifier(Token token, CqlLocation location)
    {
        var name = token.Value;
        if (name.Equals("TRUE", StringComparison.OrdinalIgnoreCase) || name.Equals("FALSE", StringComparison.OrdinalIgnoreCase))
        {
            return new CqlLiteral(name.Equals("TRUE", StringComparison.OrdinalIgnoreCase), location);
        }

        if (Reserved.Contains(name))
        {
            throw Error($"expected a property, literal or function, found the keyword {name.ToUpperInvariant()}", token);
        }

        if (GeometryKeywords.Contains(name))
        {
            return new CqlGeometry(Wkt(token), location);
        }

        if (Peek().Kind != TokenKind.LeftParen)
        {
            return new CqlProperty(name, location);
        }

        var upper = name.ToUpperInvariant();
        if (upper is "DATE" or "TIMESTAMP" or "INTERVAL")
        {
            throw Error($"temporal literals ({upper}) are not supported: the collections carry no time", token);
        }

        var open = Next();
        if (upper == "BBOX")
        {
            return new CqlGeometry(Bbox(open), location);
        }

        Enter(token);
        var arguments = new List<CqlNode>();
        if (Peek().Kind != TokenKind.RightParen)
        {
            arguments.Add(ParseArgument());
            while (Peek().Kind == TokenKind.Comma)
            {
                Next();
                arguments.Add(ParseArgument());
            }
        }

        _depth--;
        Expect(TokenKind.RightParen, $"')' closing the arguments of {name}", open);
        return new CqlFunction(name.ToLowerInvariant(), arguments, location);
    }

    /// <summary>A function argument: a scalar, or a whole predicate (<c>NOT(..)</c> style arguments are rare but legal).</summary>
    private CqlNode ParseArgument() => ParseOr();

    private Geometry Bbox(Token open)
    {
        var values = new List<double>();
        while (true)
        {
            var token = Next();
            var sign = 1.0;
            if (token.Kind == TokenKind.Sign)
            {
                sign = token.Value == "-" ? -1 : 1;
                token = Next();
            }

            if (token.Kind != TokenKind.Number)
            {
                throw Error($"expected a number in BBOX, found {token.Describe()}", token);
            }

            values.Add(sign * Number(token));
            if (Peek().Kind != TokenKind.Comma)
            {
                break;
            }

            Next();
        }

        Expect(TokenKind.RightParen, "')' closing BBOX", open);
        if (values.Count is not (4 or 6))
        {
            throw Error($"BBOX takes 4 or 6 numbers, got {values.Count}", open);
        }

        var half = values.Count / 2;
        var (x1, y1, x2, y2) = (values[0], values[1], values[half], values[half + 1]);
        if (x1 > x2 || y1 > y2)
        {
            throw Error("BBOX minimum exceeds its maximum (give the lower corner first)", open);
        }

        return CqlGeometry.Factory.ToGeometry(new Envelope(x1, x2, y1, y2));
    }

    /// <summary>The WKT literal starting at <paramref name="keyword"/>: its balanced parentheses (or EMPTY) parsed by NTS.</summary>
    private Geometry Wkt(Token keyword)
    {
        var i = _position;
        var depth = 0;
        var opened = false;
        for (; i < _text.Length; i++)
        {
            var c = _text[i];
            if (c == '(')
            {
                depth++;
                opened = true;
            }
            else if (c == ')')
            {
                if (--depth < 0)
                {
                    break;
                }

                if (depth == 0)
                {
                    i++;
                    break;
                }
            }
            else if (!opened && char.IsLetter(c))
            {
                // Z, M, ZM or EMPTY after the keyword: scan the word.
                var word = i;
                while (i < _text.Length && char.IsLetter(_text[i]))
                {
                    i++;
                }

                if (_text.AsSpan(word, i - word).Equals("EMPTY", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                i--;
            }
        }

        if (depth > 0)
        {
            throw Error($"unbalanced parentheses in the {keyword.Value.ToUpperInvariant()} literal", keyword);
        }

        var wkt = _text[keyword.Start..i];
        _position = i;

        // WKT is ASCII; NTS's tokenizer looks characters up in a 256-entry table and throws IndexOutOfRangeException
        // past it (found by fuzzing the cql2 target, issue 17), so any other character is refused here, naming it.
        for (var at = 0; at < wkt.Length; at++)
        {
            var c = wkt[at];
            if (c > '~' || (c < ' ' && c is not ('\t' or '\n' or '\r')))
            {
                throw new CqlException($"invalid character U+{(int)c:X4} in the {keyword.Value.ToUpperInvariant()} literal (WKT is ASCII)", CqlLocation.At(keyword.Start + at + 1));
            }
        }

        try
        {
            return new WKTReader(CqlGeometry.Factory.GeometryServices).Read(wkt);
        }
        catch (Exception e) when (e is ParseException or ArgumentException or FormatException or InvalidOperationException)
        {
            throw Error($"invalid {keyword.Value.ToUpperInvariant()} literal: {e.Message}", keyword);
        }
    }

    private void Enter(Token token)
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"the expression nests deeper than {MaxDepth} levels", token);
        }
    }

    private static double Number(Token token) =>
        double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new CqlException($"invalid number '{token.Value}'", CqlLocation.At(token.Start + 1));

    private Token Expect(TokenKind kind, string what, Token opener)
    {
        var token = Next();
        if (token.Kind != kind)
        {
            var suffix = what.EndsWith("opened", StringComparison.Ordinal) ? $" at character {opener.Start + 1}" : "";
            throw Error($"expected {what}{suffix}, found {token.Describe()}", token);
        }

        return token;
    }

    private bool PeekKeyword(string keyword) => Peek().IsKeyword(keyword);

    private Token Peek()
    {
        var saved = _position;
        var token = Next();
        _position = saved;
        return token;
    }

    private Token Next()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }

        var start = _position;
        if (start >= _text.Length)
        {
            return new Token(TokenKind.End, "", start);
        }

        var c = _text[start];
        switch (c)
        {
            case '(':
                _position++;
                return new Token(TokenKind.LeftParen, "(", start);
            case ')':
                _position++;
                return new Token(TokenKind.RightParen, ")", start);
            case ',':
                _position++;
                return new Token(TokenKind.Comma, ",", start);
            case '[':
                _position++;
                return new Token(TokenKind.LeftBracket, "[", start);
            case '+' or '-':
                _position++;
                return new Token(TokenKind.Sign, c.ToString(), start);
            case '=':
                _position++;
                return new Token(TokenKind.Operator, "=", start);
            case '<' or '>':
                _position++;
                if (_position < _text.Length && (_text[_position] == '=' || (c == '<' && _text[_position] == '>')))
                {
                    _position++;
                }

                return new Token(TokenKind.Operator, _text[start.._position], start);
            case '\'':
                return QuotedString(start);
            case '"':
                var end = _text.IndexOf('"', start + 1);
                if (end < 0)
                {
                    throw new CqlException("unterminated double-quoted property name", CqlLocation.At(start + 1));
                }

                _position = end + 1;
                if (end == start + 1)
                {
                    throw new CqlException("empty property name", CqlLocation.At(start + 1));
                }

                return new Token(TokenKind.QuotedIdentifier, _text[(start + 1)..end], start);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && start + 1 < _text.Length && char.IsAsciiDigit(_text[start + 1])))
        {
            return NumberToken(start);
        }

        if (IsIdentifierStart(c))
        {
            while (_position < _text.Length && IsIdentifierPart(_text[_position]))
            {
                _position++;
            }

            return new Token(TokenKind.Identifier, _text[start.._position], start);
        }

        throw new CqlException($"unexpected character '{c}'", CqlLocation.At(start + 1));
    }

    private Token QuotedString(int start)
    {
        var value = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= _text.Length)
            {
                throw new CqlException("unterminated character literal (a quote inside is written '')", CqlLocation.At(start + 1));
            }

            if (_text[i] == '\'')
            {
                if (i + 1 < _text.Length && _text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i += 2;
                    continue;
                }

                _position = i + 1;
                return new Token(TokenKind.String, value.ToString(), start);
            }

            value.Append(_text[i++]);
        }
    }

    private Token NumberToken(int start)
    {
        var i = start;
        while (i < _text.Length && char.IsAsciiDigit(_text[i]))
        {
            i++;
        }

        if (i < _text.Length && _text[i] == '.')
        {
            i++;
            while (i < _text.Length && char.IsAsciiDigit(_text[i]))
            {
                i++;
            }
        }

        if (i < _text.Length && (_text[i] is 'e' or 'E'))
        {
            var exponent = i + 1;
            if (exponent < _text.Length && _text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < _text.Length && char.IsAsciiDigit(_text[exponent]))
            {
                i = exponent;
                while (i < _text.Length && char.IsAsciiDigit(_text[i]))
                {
                    i++;
                }
            }
        }

        _position = i;
        return new Token(TokenKind.Number, _text[start..i], start);
    }

    private static bool IsIdentifierStart(char c) =>
        c is ':' or '_' || char.IsAsciiLetter(c) || (c >= '\u00C0' && c != '\u00D7' && c != '\u00F7' && char.IsLetter(c));

    private static bool IsIdentifierPart(char c) =>
        IsIdentifierStart(c) || c == '.' || char.IsAsciiDigit(c) || (c >= '\u0300' && c <= '\u036F');

    private static CqlException Error(string message, Token token) => new(message, CqlLocation.At(token.Start + 1));

    private enum TokenKind
    {
        End,
        Identifier,
        QuotedIdentifier,
        String,
        Number,
        Sign,
        Operator,
        LeftParen,
        RightParen,
        LeftBracket,
        Comma,
    }

    private readonly record struct Token(TokenKind Kind, string Value, int Start)
    {
        public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && Value.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.String => $"'{Value}'",
            _ => $"'{Value}'",
        };
    }
}
