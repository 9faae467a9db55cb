using NetTopologySuite.Geometries;
using TileServer.Core.Model;

namespace TileServer.Core.Features.Cql2;

/// <summary>
/// Where a node of a filter came from, for error messages: a 1-based character position in CQL2 text, or a JSON
/// Pointer (RFC 6901) into a CQL2 JSON document.
/// </summary>
public readonly record struct CqlLocation(int Character, string? Pointer)
{
    public static CqlLocation At(int character) => new(character, null);

    public static CqlLocation AtPointer(string pointer) => new(0, pointer);

    public override string ToString() => Pointer is null ? $"at character {Character}" : $"at {(Pointer.Length == 0 ? "the root" : Pointer)}";
}

/// <summary>The comparison operators of CQL2's basic-cql2 conformance class.</summary>
public enum CqlComparisonOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>The operator symbols of CQL2 text and JSON (they are the same in both encodings).</summary>
public static class CqlComparisonOperators
{
    /// <summary>The operator written <paramref name="symbol"/> (<c>=</c>, <c>&lt;&gt;</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>), or null.</summary>
    public static CqlComparisonOperator? Parse(string symbol) => symbol switch
    {
        "=" => CqlComparisonOperator.Equal,
        "<>" => CqlComparisonOperator.NotEqual,
        "<" => CqlComparisonOperator.LessThan,
        "<=" => CqlComparisonOperator.LessThanOrEqual,
        ">" => CqlComparisonOperator.GreaterThan,
        ">=" => CqlComparisonOperator.GreaterThanOrEqual,
        _ => null,
    };
}

/// <summary>
/// A node of a parsed CQL2 expression (OGC 21-065r2), the same for the text and the JSON encodings. Parsing only
/// checks syntax; <see cref="FeatureFilter"/> checks names and types against a collection's queryables.
/// </summary>
public abstract record CqlNode(CqlLocation Location);

/// <summary>A property (queryable) name.</summary>
public sealed record CqlProperty(string Name, CqlLocation Location) : CqlNode(Location);

/// <summary>A character string, number (<see cref="double"/>) or boolean literal.</summary>
public sealed record CqlLiteral(object Value, CqlLocation Location) : CqlNode(Location);

/// <summary>A spatial literal: WKT or GeoJSON geometry, or a <c>BBOX</c>, in the filter's CRS axis order.</summary>
public sealed record CqlGeometry(Geometry Geometry, CqlLocation Location) : CqlNode(Location)
{
    /// <summary>The factory of spatial literals and query boxes: floating precision, SRID 4326 (lon/lat, CRS84 axis order).</summary>
    public static GeometryFactory Factory { get; } = new(new PrecisionModel(), 4326);
}

/// <summary>A function call: <c>CASEI</c>, <c>ACCENTI</c>, or a spatial or other function (lower-case name).</summary>
public sealed record CqlFunction(string Name, IReadOnlyList<CqlNode> Arguments, CqlLocation Location) : CqlNode(Location);

public sealed record CqlComparison(CqlComparisonOperator Operator, CqlNode Left, CqlNode Right, CqlLocation Location) : CqlNode(Location);

/// <summary><c>value LIKE pattern</c>: <c>%</c> any sequence, <c>_</c> one character, <c>\</c> escapes either.</summary>
public sealed record CqlLike(CqlNode Value, CqlNode Pattern, CqlLocation Location) : CqlNode(Location);

public sealed record CqlBetween(CqlNode Value, CqlNode Low, CqlNode High, CqlLocation Location) : CqlNode(Location);

public sealed record CqlIn(CqlNode Value, IReadOnlyList<CqlNode> List, CqlLocation Location) : CqlNode(Location);

public sealed record CqlIsNull(CqlNode Value, CqlLocation Location) : CqlNode(Location);

public sealed record CqlNot(CqlNode Operand, CqlLocation Location) : CqlNode(Location);

public sealed record CqlAnd(IReadOnlyList<CqlNode> Operands, CqlLocation Location) : CqlNode(Location);

public sealed record CqlOr(IReadOnlyList<CqlNode> Operands, CqlLocation Location) : CqlNode(Location);

/// <summary>A filter that cannot be parsed or evaluated; the message names what is wrong and where.</summary>
public sealed class CqlException : Exception
{
    public CqlException(string message, CqlLocation location)
        : base(MessageText.SingleLine($"{message} ({location})"))
    {
        Location = location;
    }

    public CqlException()
    {
    }

    public CqlException(string message)
        : base(MessageText.SingleLine(message))
    {
    }

    public CqlException(string message, Exception innerException)
        : base(MessageText.SingleLine(message), innerException)
    {
    }

    public CqlLocation Location { get; }
}
