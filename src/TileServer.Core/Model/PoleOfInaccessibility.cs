using NetTopologySuite.Geometries;

namespace TileServer.Core.Model;

/// <summary>
/// The pole of inaccessibility of a polygonal geometry: a point inside it whose distance to its boundary is within a
/// tolerance of the largest such distance (the centre of the maximum inscribed circle).
/// </summary>
/// <remarks>
/// <para>Algorithm: the branch and bound of Garcia-Castellanos and Lombardo (2007) as Mapbox polylabel and NTS
/// <c>MaximumInscribedCircle</c> run it. Square cells cover the envelope (side: its shorter side); a cell's bound is
/// its centre's signed distance to the boundary plus its half diagonal; the cell with the highest bound is taken
/// first, its centre kept when it is the farthest yet, and it is split in four while its bound exceeds the farthest
/// distance by more than the tolerance. The first candidate is the area centroid. The answer is within the tolerance
/// of the largest distance, as NTS's is; the two may pick different points of a flat ridge.</para>
/// <para>Why not NTS <c>MaximumInscribedCircle</c>: on Peru's label work (2,112 units, rings simplified to about 60
/// vertices) its indexed distance (an STR tree of the facets, a point geometry per cell) cost about ten times this
/// linear scan over flat arrays per cell, and the label points were the longest step of a cold start. Whole label points
/// with the simplification and inside check both share (<c>LabelPointBenchmarks</c>, benchmarks/README.md, "Load
/// time"): 0.41 of the time and 0.12 of the allocation of NTS's. The scan suits rings of tens to a few thousand vertices, which is what
/// <see cref="LabelPoints"/> hands it.</para>
/// <para>Signed distance: the distance to the nearest segment of any ring; positive inside by the even-odd crossing
/// rule over all rings (exact for valid polygons and multipolygons; floating-point near the boundary, where the
/// distance is near zero anyway). Thread safety: stateless.</para>
/// </remarks>
internal static class PoleOfInaccessibility
{
    private const double HalfDiagonalPerHalfSide = 1.4142135623730951;

    /// <summary>The pole of <paramref name="polygonal"/> to within <paramref name="tolerance"/> (its units).</summary>
    /// <param name="polygonal">A non-empty <see cref="Polygon"/> or <see cref="MultiPolygon"/>.</param>
    public static Coordinate Find(Geometry polygonal, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(polygonal);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        var rings = new Rings(polygonal);
        var centroid = polygonal.Centroid.Coordinate;
        var best = (X: centroid.X, Y: centroid.Y, Distance: rings.SignedDistance(centroid.X, centroid.Y));
        var envelope = polygonal.EnvelopeInternal;
        var side = Math.Min(envelope.Width, envelope.Height);
        if (!(side > 0))
        {
            return new Coordinate(best.X, best.Y);
        }

        // Ordered by the bound, highest first.
        var cells = new PriorityQueue<Cell, double>();
        void Add(double x, double y, double halfSide)
        {
            var cell = new Cell(x, y, halfSide, rings.SignedDistance(x, y));
            cells.Enqueue(cell, -cell.Bound);
        }

        for (var x = envelope.MinX; x < envelope.MaxX; x += side)
        {
            for (var y = envelope.MinY; y < envelope.MaxY; y += side)
            {
                Add(x + (side / 2), y + (side / 2), side / 2);
            }
        }

        while (cells.TryDequeue(out var cell, out _))
        {
            if (cell.Distance > best.Distance)
            {
                best = (cell.X, cell.Y, cell.Distance);
            }

            if (cell.Bound - best.Distance > tolerance)
            {
                var h = cell.HalfSide / 2;
                Add(cell.X - h, cell.Y - h, h);
                Add(cell.X + h, cell.Y - h, h);
                Add(cell.X - h, cell.Y + h, h);
                Add(cell.X + h, cell.Y + h, h);
            }
        }

        return new Coordinate(best.X, best.Y);
    }

    private readonly record struct Cell(double X, double Y, double HalfSide, double Distance)
    {
        public double Bound => Distance + (HalfSide * HalfDiagonalPerHalfSide);
    }

    /// <summary>Every ring's vertices in flat arrays; ring r spans [Starts[r], Starts[r + 1]).</summary>
    private sealed class Rings
    {
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly int[] _starts;

        public Rings(Geometry polygonal)
        {
            var rings = new List<LineString>();
            for (var p = 0; p < polygonal.NumGeometries; p++)
            {
                if (polygonal.GetGeometryN(p) is Polygon { IsEmpty: false } polygon)
                {
                    rings.Add(polygon.ExteriorRing);
                    rings.AddRange(polygon.InteriorRings);
                }
            }

            _starts = new int[rings.Count + 1];
            for (var r = 0; r < rings.Count; r++)
            {
                _starts[r + 1] = _starts[r] + rings[r].NumPoints;
            }

            _x = new double[_starts[^1]];
            _y = new double[_starts[^1]];
            for (var r = 0; r < rings.Count; r++)
            {
                var sequence = rings[r].CoordinateSequence;
                for (var i = 0; i < sequence.Count; i++)
                {
                    _x[_starts[r] + i] = sequence.GetX(i);
                    _y[_starts[r] + i] = sequence.GetY(i);
                }
            }
        }

        /// <summary>The distance from (x, y) to the nearest segment; negative outside.</summary>
        public double SignedDistance(double x, double y)
        {
            var inside = false;
            var nearest = double.PositiveInfinity;
            for (var r = 0; r + 1 < _starts.Length; r++)
            {
                for (int i = _starts[r], last = _starts[r + 1] - 1; i < last; i++)
                {
                    double ax = _x[i], ay = _y[i], bx = _x[i + 1], by = _y[i + 1];
                    if ((ay > y) != (by > y) && x < ((bx - ax) * (y - ay) / (by - ay)) + ax)
                    {
                        inside = !inside;
                    }

                    double dx = bx - ax, dy = by - ay, qx = ax, qy = ay;
                    var length2 = (dx * dx) + (dy * dy);
                    if (length2 > 0)
                    {
                        var t = (((x - ax) * dx) + ((y - ay) * dy)) / length2;
                        if (t >= 1)
                        {
                            (qx, qy) = (bx, by);
                        }
                        else if (t > 0)
                        {
                            (qx, qy) = (ax + (dx * t), ay + (dy * t));
                        }
                    }

                    var d2 = ((x - qx) * (x - qx)) + ((y - qy) * (y - qy));
                    nearest = Math.Min(nearest, d2);
                }
            }

            var distance = Math.Sqrt(nearest);
            return inside ? distance : -distance;
        }
    }
}
