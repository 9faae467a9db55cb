using System.Text;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using TileServer.Core.Features.Cql2;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Features;

/// <summary>
/// Compiles a parsed CQL2 expression against one collection's queryables into a predicate over feature indexes,
/// checking property names and operand types first, so that every error is reported with its position before any
/// feature is read. Semantics (OGC 21-065r2): comparisons with a null operand are unknown, and unknown is false at the
/// top (<c>NOT</c> of unknown is unknown); text compares ordinally; <c>LIKE</c> matches the whole value with <c>%</c>,
/// <c>_</c> and the escape <c>\</c>; <c>CASEI</c> and <c>ACCENTI</c> fold with <see cref="TextFolding"/>;
/// <c>S_INTERSECTS</c> tests the served (cleaned) geometry against the literal, transformed from the filter CRS to
/// lon/lat, with <see cref="FeatureSet.Intersecting"/> (STR-tree candidates, prepared literal), evaluated once per
/// request.
/// </summary>
/// <remarks>Thread safety: a compiled predicate is immutable and may be called from any thread.</remarks>
public static class FeatureFilter
{
    /// <summary>The spatial queryable: the served geometry.</summary>
    public const string GeometryProperty = "geometry";

    /// <summary>LIKE patterns run with .NET's non-backtracking engine, so that no pattern costs more than linear time.</summary>
    private const RegexOptions LikeOptions = RegexOptions.NonBacktracking | RegexOptions.Singleline | RegexOptions.CultureInvariant;

    /// <exception cref="CqlException">Unknown property or function, or operand types that do not fit; the message names the position.</exception>
    public static Func<int, bool> Compile(CqlNode filter, FeatureSet set, FeatureCrs filterCrs)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(filterCrs);
        var predicate = new Compiler(set, filterCrs).Boolean(filter);
        return feature => predicate(feature) == true;
    }

    private enum Kind
    {
        String,
        Number,
        Boolean,
        Geometry,
    }

    private sealed record Scalar(Kind Kind, Func<int, object?> Value, bool IsConstant, CqlNode Node);

    private sealed class Compiler(FeatureSet set, FeatureCrs crs)
    {
        public Func<int, bool?> Boolean(CqlNode node)
        {
            switch (node)
            {
                case CqlAnd and:
                    var all = and.Operands.Select(Boolean).ToArray();
                    return feature =>
                    {
                        var result = (bool?)true;
                        foreach (var operand in all)
                        {
                            var value = operand(feature);
                            if (value == false)
                            {
                                return false;
                            }

                            result = value is null ? null : result;
                        }

                        return result;
                    };
                case CqlOr or:
                    var any = or.Operands.Select(Boolean).ToArray();
                    return feature =>
                    {
                        var result = (bool?)false;
                        foreach (var operand in any)
                        {
                            var value = operand(feature);
                            if (value == true)
                            {
                                return true;
                            }

                            result = value is null ? null : result;
                        }

                        return result;
                    };
                case CqlNot not:
                    var inner = Boolean(not.Operand);
                    return feature => !inner(feature);
                case CqlComparison comparison:
                    return Comparison(comparison);
                case CqlLike like:
                    return Like(like);
                case CqlBetween between:
                    return Between(between);
                case CqlIn @in:
                    return In(@in);
                case CqlIsNull isNull:
                    var operand = Scalar(isNull.Value);
                    return feature => operand.Value(feature) is null;
                case CqlFunction { Name: "s_intersects" } function:
                    return Intersects(function);
                default:
                    var scalar = Scalar(node);
                    if (scalar.Kind != Kind.Boolean)
                    {
                        throw new CqlException($"expected a predicate, found {Describe(scalar.Kind)} {Describe(node)}", node.Location);
                    }

                    return feature => (bool?)scalar.Value(feature);
            }
        }

        private Func<int, bool?> Comparison(CqlComparison comparison)
        {
            var left = Scalar(comparison.Left);
            var right = Scalar(comparison.Right);
            SameKind(left, right, comparison.Right.Location, "compare");
            if (left.Kind == Kind.Geometry)
            {
                throw new CqlException("geometries are compared with spatial functions (S_INTERSECTS), not with comparison operators", comparison.Location);
            }

            var op = comparison.Operator;
            return feature =>
            {
                var a = left.Value(feature);
                var b = right.Value(feature);
                if (a is null || b is null)
                {
                    return null;
                }

                var order = FeatureSet.CompareValues(a, b);
                return op switch
                {
                    CqlComparisonOperator.Equal => order == 0,
                    CqlComparisonOperator.NotEqual => order != 0,
                    CqlComparisonOperator.LessThan => order < 0,
                    CqlComparisonOperator.LessThanOrEqual => order <= 0,
                    CqlComparisonOperator.GreaterThan => order > 0,
                    _ => order >= 0,
                };
            };
        }

        private Func<int, bool?> Like(CqlLike like)
        {
            var value = Scalar(like.Value);
            var pattern = Scalar(like.Pattern);
            Expect(value, Kind.String, "LIKE applies to text");
            Expect(pattern, Kind.String, "a LIKE pattern is text");
            if (pattern.IsConstant)
            {
                var regex = LikeRegex((string?)pattern.Value(0), like.Pattern.Location);
                return feature => value.Value(feature) is string text ? regex?.IsMatch(text) : null;
            }

            return feature => value.Value(feature) is string text && pattern.Value(feature) is string p
                ? LikeRegex(p, like.Pattern.Location)?.IsMatch(text)
                : null;
        }

        private Func<int, bool?> Between(CqlBetween between)
        {
            var value = Scalar(between.Value);
            var low = Scalar(between.Low);
            var high = Scalar(between.High);
            Expect(value, Kind.Number, "BETWEEN applies to numbers");
            Expect(low, Kind.Number, "the bounds of BETWEEN are numbers");
            Expect(high, Kind.Number, "the bounds of BETWEEN are numbers");
            return feature => value.Value(feature) is double v && low.Value(feature) is double l && high.Value(feature) is double h
                ? l <= v && v <= h
                : null;
        }

        private Func<int, bool?> In(CqlIn @in)
        {
            var value = Scalar(@in.Value);
            var list = @in.List.Select(Scalar).ToArray();
            foreach (var item in list)
            {
                SameKind(value, item, item.Node.Location, "compare");
            }

            return feature =>
            {
                if (value.Value(feature) is not { } v)
                {
                    return null;
                }

                var result = (bool?)false;
                foreach (var item in list)
                {
                    var candidate = item.Value(feature);
                    if (candidate is null)
                    {
                        result = null;
                    }
                    else if (FeatureSet.CompareValues(v, candidate) == 0)
                    {
                        return true;
                    }
                }

                return result;
            };
        }

        private Func<int, bool?> Intersects(CqlFunction function)
        {
            if (function.Arguments.Count != 2)
            {
                throw new CqlException($"S_INTERSECTS takes 2 arguments, got {function.Arguments.Count}", function.Location);
            }

            var a = Scalar(function.Arguments[0]);
            var b = Scalar(function.Arguments[1]);
            Expect(a, Kind.Geometry, "S_INTERSECTS compares geometries");
            Expect(b, Kind.Geometry, "S_INTERSECTS compares geometries");
            if (a.IsConstant && b.IsConstant)
            {
                var constant = ((Geometry)a.Value(0)!).Intersects((Geometry)b.Value(0)!);
                return _ => constant;
            }

            if (!a.IsConstant && !b.IsConstant)
            {
                throw new CqlException("S_INTERSECTS needs a geometry literal on one side", function.Location);
            }

            var literal = (Geometry)(a.IsConstant ? a : b).Value(0)!;
            var matches = new bool[set.Count];
            set.Intersecting(literal, matches);
            return feature => matches[feature];
        }

        /// <summary>The antimeridian rule of every polygon that comes in (<see cref="Antimeridian"/>): a polygon literal
        /// with an edge over 180° of longitude is cut there; one round a pole, or invalid, cannot be cut.</summary>
        private static Geometry CutAtAntimeridian(Geometry lonLat, CqlLocation location)
        {
            if (lonLat is not (Polygon or MultiPolygon) || !Antimeridian.Crosses(lonLat))
            {
                return lonLat;
            }

            var unwrapped = Antimeridian.Unwrap(lonLat)
                ?? throw new CqlException("the polygon winds round a pole (an edge over 180° of longitude crosses the antimeridian, and its longitudes never come back); polygons round a pole are not supported", location);
            return unwrapped.IsValid
                ? Antimeridian.Split(unwrapped)
                : throw new CqlException("the polygon crosses the antimeridian and is not valid (its rings cross), so it cannot be cut there; send it cut at ±180 (RFC 7946, 3.1.9)", location);
        }

        private Scalar Scalar(CqlNode node)
        {
            switch (node)
            {
                case CqlLiteral { Value: string text }:
                    return new Scalar(Kind.String, _ => text, true, node);
                case CqlLiteral { Value: double number }:
                    return new Scalar(Kind.Number, _ => number, true, node);
                case CqlLiteral { Value: bool flag }:
                    return new Scalar(Kind.Boolean, _ => flag, true, node);
                case CqlGeometry geometry:
                    Geometry lonLat;
                    try
                    {
                        lonLat = crs.ToLonLat(geometry.Geometry);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
                    {
                        throw new CqlException($"the geometry cannot be transformed from {crs.Curie}: {e.Message}", node.Location);
                    }

                    lonLat = CutAtAntimeridian(lonLat, node.Location);
                    return new Scalar(Kind.Geometry, _ => lonLat, true, node);
                case CqlProperty property when property.Name == GeometryProperty:
                    return new Scalar(Kind.Geometry, set.Geometry, false, node);
                case CqlProperty property:
                    var index = set.PropertyIndex(property.Name);
                    if (index < 0)
                    {
                        throw new CqlException($"unknown property '{property.Name}'; the queryables of {set.Id} are {string.Join(", ", set.Properties.Select(p => p.Name).Append(GeometryProperty))}", node.Location);
                    }

                    var kind = set.Properties[index].Type switch
                    {
                        FeaturePropertyType.String => Kind.String,
                        FeaturePropertyType.Boolean => Kind.Boolean,
                        _ => Kind.Number,
                    };
                    return new Scalar(kind, feature => set.Value(index, feature), false, node);
                case CqlFunction { Name: "casei" or "accenti" } function:
                    if (function.Arguments.Count != 1)
                    {
                        throw new CqlException($"{function.Name.ToUpperInvariant()} takes 1 argument, got {function.Arguments.Count}", node.Location);
                    }

                    var argument = Scalar(function.Arguments[0]);
                    Expect(argument, Kind.String, $"{function.Name.ToUpperInvariant()} applies to text");
                    Func<string, string> fold = function.Name == "casei" ? TextFolding.CaseFold : TextFolding.RemoveAccents;
                    if (argument.IsConstant)
                    {
                        var folded = fold((string)argument.Value(0)!);
                        return new Scalar(Kind.String, _ => folded, true, node);
                    }

                    return new Scalar(Kind.String, feature => argument.Value(feature) is string s ? fold(s) : null, false, node);
                case CqlFunction function:
                    throw new CqlException($"unsupported function {function.Name.ToUpperInvariant()}; supported: CASEI, ACCENTI, S_INTERSECTS", node.Location);
                default:
                    throw new CqlException($"expected a value, found a predicate ({Describe(node)})", node.Location);
            }
        }

        private static void SameKind(Scalar left, Scalar right, CqlLocation location, string verb)
        {
            if (left.Kind != right.Kind)
            {
                throw new CqlException($"cannot {verb} {Describe(left.Kind)} {Describe(left.Node)} with {Describe(right.Kind)} {Describe(right.Node)}", location);
            }
        }

        private static void Expect(Scalar scalar, Kind kind, string rule)
        {
            if (scalar.Kind != kind)
            {
                throw new CqlException($"{rule}, but {Describe(scalar.Node)} is {Describe(scalar.Kind)}", scalar.Node.Location);
            }
        }

        private static string Describe(Kind kind) => kind switch
        {
            Kind.String => "text",
            Kind.Number => "a number",
            Kind.Boolean => "a boolean",
            _ => "a geometry",
        };

        private static string Describe(CqlNode node) => node switch
        {
            CqlProperty p => $"property '{p.Name}'",
            CqlLiteral { Value: string s } => $"'{s}'",
            CqlLiteral l => $"{l.Value}".ToLowerInvariant(),
            CqlGeometry g => g.Geometry.GeometryType.ToUpperInvariant(),
            CqlFunction f => f.Name.ToUpperInvariant() + "(..)",
            _ => "expression",
        };

        private static Regex? LikeRegex(string? pattern, CqlLocation location)
        {
            if (pattern is null)
            {
                return null;
            }

            var regex = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '\\')
                {
                    if (++i == pattern.Length)
                    {
                        throw new CqlException("a LIKE pattern cannot end with the escape character '\\'", location);
                    }

                    regex.Append(Regex.Escape(pattern[i].ToString()));
                }
                else
                {
                    regex.Append(c switch
                    {
                        '%' => ".*",
                        '_' => ".",
                        _ => Regex.Escape(c.ToString()),
                    });
                }
            }

            return new Regex(regex.Append('$').ToString(), LikeOptions, TimeSpan.FromSeconds(1));
        }
    }
}
