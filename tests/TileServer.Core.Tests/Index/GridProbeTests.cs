using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// <see cref="DistrictLocator"/> where its grid arithmetic is most likely to go one cell wrong: points exactly on the
/// top grid's lines and on the quadrant lines below them (and one ulp either side, where the rounded
/// <c>(x - min) / width</c> lands in the neighbouring cell), exactly at cell centres and on the vertical and
/// horizontal lines through them (where the walk from the centre is axis-parallel), on the rays from cell centres
/// through vertices (where the fixed-point filter cannot decide), on the grid's outer lines and corners and just
/// beyond them; on a small layer, on a layer spanning the whole globe (larger coordinates, coarser rounding) and on
/// one whose long edges are kept in doubles beside small cells. The grid is read from the index's arrays only to
/// choose where to probe; every answer is checked against NetTopologySuite's exact point location and the half-open
/// rule (<see cref="ExactOracle"/>), never against the locator.
/// </summary>
public class GridProbeTests
{
    /// <summary>A <paramref name="columns"/> x <paramref name="rows"/> grid of cells from (x0, y0), inner vertices
    /// moved at random by up to a quarter of a cell (half of them along one axis only, so that some edges are
    /// vertical or horizontal), every other cell cut into two triangles.</summary>
    private static Geometry[] Jittered(double x0, double y0, double width, double height, int columns, int rows, int seed)
    {
        var random = new Random(seed);
        var x = new double[columns + 1, rows + 1];
        var y = new double[columns + 1, rows + 1];
        for (var i = 0; i <= columns; i++)
        {
            for (var j = 0; j <= rows; j++)
            {
                var inner = i > 0 && i < columns && j > 0 && j < rows;
                var axis = random.Next(3);
                x[i, j] = x0 + (width * i) + (inner && axis != 1 ? (random.NextDouble() - 0.5) * width * 0.5 : 0);
                y[i, j] = y0 + (height * j) + (inner && axis != 2 ? (random.NextDouble() - 0.5) * height * 0.5 : 0);
            }
        }

        var districts = new List<Geometry>();
        for (var i = 0; i < columns; i++)
        {
            for (var j = 0; j < rows; j++)
            {
                (double, double) a = (x[i, j], y[i, j]), b = (x[i + 1, j], y[i + 1, j]), c = (x[i + 1, j + 1], y[i + 1, j + 1]), d = (x[i, j + 1], y[i, j + 1]);
                if ((i + j) % 2 == 0)
                {
                    districts.Add(SmallLayers.Ring(a, b, c, d));
                }
                else
                {
                    districts.Add(SmallLayers.Ring(a, b, c));
                    districts.Add(SmallLayers.Ring(a, c, d));
                }
            }
        }

        return [.. districts];
    }

    /// <summary>Two districts sharing a border far longer than the small cells that a block of boxes beside them
    /// makes (so that their edges are kept in doubles in those cells), and a district with a hole.</summary>
    private static Geometry[] LongEdgesBesideSmallCells()
    {
        var shell = SmallLayers.Factory.CreateLinearRing([new(-10, 0), new(-10, 10), new(-2, 10), new(-2, 0), new(-10, 0)]);
        var hole = SmallLayers.Factory.CreateLinearRing([new(-7, 3), new(-5, 3), new(-5, 6), new(-7, 6), new(-7, 3)]);
        return
        [
            SmallLayers.Factory.CreatePolygon(shell, [hole]),
            SmallLayers.Ring((0, 0), (30, 0), (30, 19.7), (0, 10.1)),
            SmallLayers.Ring((0, 10.1), (30, 19.7), (30, 30), (0, 30)),
            .. Jittered(40, 0, 0.125, 0.125, 8, 8, 5),
        ];
    }

    public static TheoryData<string> Layers() => ["small", "globe", "long edges"];

    private static Geometry[] Layer(string name) => name switch
    {
        "small" => Jittered(-77.03, -12.07, 0.01, 0.013, 7, 6, 17),
        "globe" => Jittered(-180, -90, 45, 30, 8, 6, 19),
        _ => LongEdgesBesideSmallCells(),
    };

    /// <summary>The top grid's lines along one axis, and below each top cell the quadrant lines down to depth 2,
    /// computed as the locator's descent computes them (the midpoint of the two bounds).</summary>
    private static List<double> Lines(double min, double side, int cells)
    {
        var lines = new List<double>();
        for (var c = 0; c <= cells; c++)
        {
            lines.Add(min + (c * side));
        }

        for (var c = 0; c < cells; c++)
        {
            Split(min + (c * side), min + ((c + 1) * side), 2);
        }

        return lines;

        void Split(double low, double high, int levels)
        {
            var mid = (low + high) * 0.5;
            lines.Add(mid);
            if (levels > 1)
            {
                Split(low, mid, levels - 1);
                Split(mid, high, levels - 1);
            }
        }
    }

    private static IEnumerable<double> WithNeighbours(double value) => [value, Math.BitDecrement(value), Math.BitIncrement(value)];

    [Theory]
    [MemberData(nameof(Layers))]
    public void Points_on_cell_lines_at_cell_centres_and_on_rays_through_vertices_agree_with_the_exact_predicate(string layer)
    {
        var districts = Layer(layer);
        var oracle = new ExactOracle(districts);
        var topology = CoverageTopology.FromCoverage(districts) ?? throw new InvalidOperationException("not a coverage");
        foreach (var locator in new[] { DistrictLocator.Build(topology), DistrictLocator.Build(districts) })
        {
            var grid = locator.ToArrays();
            var xLines = Lines(grid.GridMinX, grid.CellWidth, grid.Columns);
            var yLines = Lines(grid.GridMinY, grid.CellHeight, grid.Rows);
            var vertices = districts.SelectMany(d => d.Coordinates).Select(c => (c.X, c.Y)).Distinct().ToList();
            var random = new Random(3);
            var points = new List<(double X, double Y)>(vertices);

            // On each line and an ulp either side, at vertex heights (edges cross there) and at random.
            foreach (var x in xLines.SelectMany(WithNeighbours))
            {
                points.AddRange(Enumerable.Range(0, 2).Select(_ => (x, vertices[random.Next(vertices.Count)].Y)));
                points.AddRange(Enumerable.Range(0, 2).Select(_ => (x, grid.GridMinY + (random.NextDouble() * (grid.GridMaxY - grid.GridMinY)))));
            }

            foreach (var y in yLines.SelectMany(WithNeighbours))
            {
                points.AddRange(Enumerable.Range(0, 2).Select(_ => (vertices[random.Next(vertices.Count)].X, y)));
                points.AddRange(Enumerable.Range(0, 2).Select(_ => (grid.GridMinX + (random.NextDouble() * (grid.GridMaxX - grid.GridMinX)), y)));
            }

            // Lines that the locator's rounded (v - min) · (1 / side) puts in the neighbouring column or row (found
            // with the same arithmetic), probed across the whole grid.
            foreach (var x in xLines.SelectMany(WithNeighbours).Where(x => RoundsIntoNeighbour(x, grid.GridMinX, grid.CellWidth, grid.Columns)))
            {
                points.AddRange(Enumerable.Range(0, 40).Select(_ => (x, grid.GridMinY + (random.NextDouble() * (grid.GridMaxY - grid.GridMinY)))));
            }

            foreach (var y in yLines.SelectMany(WithNeighbours).Where(y => RoundsIntoNeighbour(y, grid.GridMinY, grid.CellHeight, grid.Rows)))
            {
                points.AddRange(Enumerable.Range(0, 40).Select(_ => (grid.GridMinX + (random.NextDouble() * (grid.GridMaxX - grid.GridMinX)), y)));
            }

            // Where the lines cross (cell corners, and cell centres to depth 2), and an ulp off them: a sample.
            foreach (var x in xLines)
            {
                foreach (var y in yLines.Where(_ => random.Next(16) == 0))
                {
                    points.AddRange([(x, y), (Math.BitDecrement(x), Math.BitIncrement(y)), (Math.BitIncrement(x), Math.BitDecrement(y))]);
                }
            }

            // On the rays from the centres of the cells (at depths 0 to 3) holding a vertex through that vertex, short
            // of it and beyond it: the walk's segment passes within rounding of the vertex.
            foreach (var (vx, vy) in vertices)
            {
                foreach (var (cx, cy) in CentresAround(grid, vx, vy))
                {
                    foreach (var t in new[] { 0.5, 0.999, 1.001, 1.5 })
                    {
                        points.Add((cx + (t * (vx - cx)), cy + (t * (vy - cy))));
                    }

                    points.AddRange([(cx, vy), (vx, cy)]);
                }
            }

            var disagreements = new List<string>();
            var boundary = 0;
            foreach (var (x, y) in points)
            {
                var answer = locator.LocateCovering(x, y);
                boundary += answer.Match == LookupMatch.Boundary ? 1 : 0;
                if (oracle.Disagreement(x, y, answer) is { } problem)
                {
                    disagreements.Add(problem);
                }
            }

            Assert.Empty(disagreements.Take(10));
            Assert.True(boundary >= vertices.Count, $"only {boundary} of {points.Count} points were on a border");
            Assert.True(oracle.Ambiguous < points.Count / 100, $"{oracle.Ambiguous} border points had no certain half-open owner");
        }
    }

    /// <summary>Whether the cell index (v - min) · (1 / side), truncated, names a cell whose bounds min + i · side do
    /// not hold v (rounding put it one cell off).</summary>
    private static bool RoundsIntoNeighbour(double v, double min, double side, int cells)
    {
        var i = Math.Min((int)((v - min) * (1 / side)), cells - 1);
        return v < min + (i * side) || v > min + ((i + 1) * side);
    }

    /// <summary>
    /// 512 stripes of 0.2° across a layer 50° long (rows), or along it (columns), whose grid cells (about 0.56°) hold
    /// two or three stripes each, and points on every inner grid line of that axis, and an ulp or two either side,
    /// that the locator's rounded <c>(v - min) · (1 / side)</c> puts one cell low or one cell high (found with the
    /// same arithmetic; both kinds must occur, or the test probes nothing), at 100 places along each: a point looked
    /// up from any cell but its own would get another stripe. Expected: the stripe NTS's exact point location gives,
    /// and the half-open owner on the stripes' borders.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Points_that_rounding_puts_a_cell_low_or_high_are_found_in_their_own_stripe(bool rows)
    {
        const double Origin = -51.2, Stripe = 0.2, Start = -77, Length = 50;
        Geometry[] stripes = [.. Enumerable.Range(0, 512).Select(i => rows
            ? SmallLayers.Box(Start, Origin + (i * Stripe), Start + Length, Origin + ((i + 1) * Stripe))
            : SmallLayers.Box(Origin + (i * Stripe), Start, Origin + ((i + 1) * Stripe), Start + Length))];
        var oracle = new ExactOracle(stripes);
        var locator = DistrictLocator.Build(stripes);
        var grid = locator.ToArrays();
        var (min, side, cells) = rows ? (grid.GridMinY, grid.CellHeight, grid.Rows) : (grid.GridMinX, grid.CellWidth, grid.Columns);
        var offLines = Enumerable.Range(1, cells - 1).Select(c => min + (c * side))
            .SelectMany(line => new[] { line, Math.BitDecrement(line), Math.BitIncrement(line), Math.BitIncrement(Math.BitIncrement(line)) })
            .Where(v => RoundsIntoNeighbour(v, min, side, cells)).ToList();
        var low = offLines.Count(v => v > min + (((int)((v - min) * (1 / side)) + 1) * side));
        Assert.True(low > 0 && low < offLines.Count, $"{low} of {offLines.Count} values rounded a cell low; the rest a cell high");

        var disagreements = new List<string>();
        foreach (var v in offLines)
        {
            for (var k = 0; k < 100; k++)
            {
                var along = Start + (Length * (k + 0.5) / 100);
                var (x, y) = rows ? (along, v) : (v, along);
                if (oracle.Disagreement(x, y, locator.LocateCovering(x, y)) is { } problem)
                {
                    disagreements.Add(problem);
                }
            }
        }

        Assert.Empty(disagreements.Take(10));
    }

    /// <summary>The centres of the top cell holding (x, y) and of its quadrants holding it, to depth 3.</summary>
    private static IEnumerable<(double X, double Y)> CentresAround(LocatorArrays grid, double x, double y)
    {
        var column = Math.Clamp((int)Math.Floor((x - grid.GridMinX) / grid.CellWidth), 0, grid.Columns - 1);
        var row = Math.Clamp((int)Math.Floor((y - grid.GridMinY) / grid.CellHeight), 0, grid.Rows - 1);
        double x0 = grid.GridMinX + (column * grid.CellWidth), x1 = grid.GridMinX + ((column + 1) * grid.CellWidth);
        double y0 = grid.GridMinY + (row * grid.CellHeight), y1 = grid.GridMinY + ((row + 1) * grid.CellHeight);
        for (var depth = 0; depth <= 3; depth++)
        {
            double midX = (x0 + x1) * 0.5, midY = (y0 + y1) * 0.5;
            yield return (midX, midY);
            (x0, x1) = x >= midX ? (midX, x1) : (x0, midX);
            (y0, y1) = y >= midY ? (midY, y1) : (y0, midY);
        }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Points_on_the_grids_outer_lines_at_its_corners_and_beyond_it_are_outside_every_district(string layer)
    {
        var districts = Layer(layer);
        var oracle = new ExactOracle(districts);
        var locator = DistrictLocator.Build(districts);
        var grid = locator.ToArrays();
        var xs = Lines(grid.GridMinX, grid.CellWidth, grid.Columns).Append(grid.GridMaxX).ToList();
        var ys = Lines(grid.GridMinY, grid.CellHeight, grid.Rows).Append(grid.GridMaxY).ToList();
        var points = new List<(double X, double Y)>();
        foreach (var x in new[] { grid.GridMinX, grid.GridMaxX }.SelectMany(WithNeighbours))
        {
            points.AddRange(ys.SelectMany(WithNeighbours).Select(y => (x, y)));
        }

        foreach (var y in new[] { grid.GridMinY, grid.GridMaxY }.SelectMany(WithNeighbours))
        {
            points.AddRange(xs.SelectMany(WithNeighbours).Select(x => (x, y)));
        }

        points.AddRange([(-180, -90), (180, 90), (-180, 90), (180, -90), (double.MaxValue, 0), (0, double.MinValue)]);
        foreach (var (x, y) in points)
        {
            Assert.Null(oracle.Disagreement(x, y, locator.LocateCovering(x, y)));
        }

        foreach (var (x, y) in new[] { (double.NaN, 0.0), (0.0, double.NaN), (double.PositiveInfinity, 0.0), (0.0, double.NegativeInfinity) })
        {
            Assert.Equal(DistrictMatch.NotFound, locator.Locate(x, y, 1000));
        }

        // The grid's margin keeps every district off its outer lines: nothing is found there.
        Assert.True(districts.All(d => d.EnvelopeInternal.MinX > grid.GridMinX && d.EnvelopeInternal.MaxX < grid.GridMaxX
            && d.EnvelopeInternal.MinY > grid.GridMinY && d.EnvelopeInternal.MaxY < grid.GridMaxY));
    }

    [Fact]
    public void District_indexes_and_leaf_edge_offsets_beyond_sixteen_bits_are_decoded_whole()
    {
        // 65,536 districts without geometry first, so that the two districts after them have indexes whose high
        // 16 bits are 1; the first is a star of 500 spikes whose long edges cross many cells, so that past the first
        // rows of the grid a leaf's first edge entry is beyond 65,535 too.
        const int skipped = 1 << 16;
        const int vertices = 1_000;
        var star = Enumerable.Range(0, vertices)
            .Select(i => (Radius: i % 2 == 0 ? 0.5 : 0.05, Angle: 2 * Math.PI * i / vertices))
            .Select(p => (X: -75 + (p.Radius * Math.Cos(p.Angle)), Y: -10 + (p.Radius * Math.Sin(p.Angle))))
            .ToArray();
        Geometry[] drawn = [SmallLayers.Ring(star), SmallLayers.Box(-74.5, -10.5, -74.0, -9.5)];
        var empty = SmallLayers.Factory.CreatePolygon();
        var locator = DistrictLocator.Build([.. Enumerable.Repeat<Geometry>(empty, skipped), .. drawn]);
        Assert.Equal(skipped + 2, locator.DistrictCount);
        Assert.True(locator.LeafEdgeCount > 80_000, $"{locator.LeafEdgeCount} leaf edge entries");

        var oracle = new ExactOracle(drawn);
        var random = new Random(7);
        var points = star
            .Concat(Enumerable.Range(0, 2_000).Select(_ => (X: -75.6 + (random.NextDouble() * 1.7), Y: -10.6 + (random.NextDouble() * 1.2))))
            .Concat(Enumerable.Range(0, 200).Select(i => (X: -74.5, Y: -10.5 + (i / 200.0))));
        var disagreements = new List<string>();
        var found = 0;
        foreach (var (x, y) in points)
        {
            var answer = locator.LocateCovering(x, y);
            var local = answer.Found ? answer with { District = answer.District - skipped } : answer;
            found += answer.Found ? 1 : 0;
            if (oracle.Disagreement(x, y, local) is { } problem)
            {
                disagreements.Add(problem);
            }
        }

        Assert.Empty(disagreements.Take(10));
        Assert.True(found > 1_000, $"only {found} points found");
    }
    /// <summary>Two small boxes in opposite corners fix the layer's box to (1, 1)-(11, 11); the parts are placed on
    /// the top grid whose cells start at (minX, minY) and measure width x height: a triangle with a vertex exactly at
    /// a cell's centre and its edges going up, one with its edges going down, two triangles with a vertex on the
    /// vertical line through a centre below it and two above it (the two edges leaving that vertex bound different
    /// districts, so that crossing one instead of the other changes the answer), one with a vertex on the horizontal
    /// line, a box whose sides lie on a cell's sides, and a triangle
    /// touching a cell at its corner only. The locator's grid depends only on the layer's box and edge count, so parts
    /// placed on a first build's grid land on the second build's grid exactly.</summary>
    private static Geometry[] Placed(double minX, double minY, double width, double height)
    {
        (double X, double Y) Centre(int c, int r) => (((minX + (c * width)) + (minX + ((c + 1) * width))) * 0.5, ((minY + (r * height)) + (minY + ((r + 1) * height))) * 0.5);
        (double X, double Y) Corner(int c, int r) => (minX + (c * width), minY + (r * height));
        var (w, h) = (width / 4, height / 4);
        var up = Centre(3, 3);
        var down = Centre(5, 3);
        var vertical = Centre(3, 5);
        var horizontal = Centre(5, 5);
        var (low, high) = (Corner(7, 3), Corner(8, 4));
        var corner = Corner(7, 6);
        return
        [
            SmallLayers.Box(1, 1, 1.1, 1.1),
            SmallLayers.Box(10.9, 10.9, 11, 11),
            SmallLayers.Ring(up, (up.X + w, up.Y + h), (up.X - w, up.Y + h)),
            SmallLayers.Ring(down, (down.X - w, down.Y - h), (down.X + w, down.Y - h)),
            SmallLayers.Ring((vertical.X, vertical.Y - (h / 2)), (vertical.X + w, vertical.Y - h), (vertical.X - w, vertical.Y - h)),
            SmallLayers.Ring((vertical.X, vertical.Y - (h / 2)), (vertical.X + w, vertical.Y - (h / 2)), (vertical.X + w, vertical.Y - h)),
            SmallLayers.Ring((vertical.X, vertical.Y + (h / 2)), (vertical.X - w, vertical.Y + h), (vertical.X + w, vertical.Y + h)),
            SmallLayers.Ring((vertical.X, vertical.Y + (h / 2)), (vertical.X + w, vertical.Y + h), (vertical.X + w, vertical.Y + (h / 2))),
            SmallLayers.Ring((horizontal.X + (w / 2), horizontal.Y), (horizontal.X + w, horizontal.Y - h), (horizontal.X + w, horizontal.Y + h)),
            SmallLayers.Box(low.X, low.Y, high.X, high.Y),
            SmallLayers.Ring(corner, (corner.X - (w / 2), corner.Y - h), (corner.X - w, corner.Y - (h / 2))),
        ];
    }

    [Fact]
    public void Vertices_exactly_at_cell_centres_on_the_lines_through_them_and_on_cell_sides_and_corners_agree_with_the_exact_predicate()
    {
        // With a topology a shared edge is one edge, without it two: each way of building has its own grid.
        foreach (var topological in new[] { true, false })
        {
            DistrictLocator Build(Geometry[] layer) => topological
                ? DistrictLocator.Build(CoverageTopology.FromCoverage(layer) ?? throw new InvalidOperationException("not a coverage"))
                : DistrictLocator.Build(layer);
            var first = Build(Placed(1, 1, 10.0 / 15, 10.0 / 15)).ToArrays();
            var districts = Placed(first.GridMinX, first.GridMinY, first.CellWidth, first.CellHeight);
            var oracle = new ExactOracle(districts);
            var locator = Build(districts);
            var grid = locator.ToArrays();
            Assert.Equal((first.GridMinX, first.GridMinY, first.CellWidth, first.CellHeight, first.Columns, first.Rows), (grid.GridMinX, grid.GridMinY, grid.CellWidth, grid.CellHeight, grid.Columns, grid.Rows));
            Assert.True(grid.Columns > 8 && grid.Rows > 7, $"a grid of {grid.Columns} x {grid.Rows} cells");

            // In each cell with a part: a lattice of 1/16 of the cell (its lines, its centre's lines), the vertices,
            // and every one of those moved an ulp each way.
            var points = new List<(double X, double Y)>();
            foreach (var (c, r) in new[] { (3, 3), (5, 3), (3, 5), (5, 5), (7, 3), (7, 6), (6, 5) })
            {
                for (var i = 0; i <= 16; i++)
                {
                    for (var j = 0; j <= 16; j++)
                    {
                        var x = i == 8 ? ((grid.GridMinX + (c * grid.CellWidth)) + (grid.GridMinX + ((c + 1) * grid.CellWidth))) * 0.5 : grid.GridMinX + ((c + (i / 16.0)) * grid.CellWidth);
                        var y = j == 8 ? ((grid.GridMinY + (r * grid.CellHeight)) + (grid.GridMinY + ((r + 1) * grid.CellHeight))) * 0.5 : grid.GridMinY + ((r + (j / 16.0)) * grid.CellHeight);
                        points.Add((x, y));
                    }
                }
            }

            points.AddRange(districts.SelectMany(d => d.Coordinates).Select(v => (v.X, v.Y)));
            points.AddRange([.. points.SelectMany(p => new[] { (Math.BitIncrement(p.X), p.Y), (Math.BitDecrement(p.X), p.Y), (p.X, Math.BitIncrement(p.Y)), (p.X, Math.BitDecrement(p.Y)) })]);
            var disagreements = new List<string>();
            foreach (var (x, y) in points)
            {
                if (oracle.Disagreement(x, y, locator.LocateCovering(x, y)) is { } problem)
                {
                    disagreements.Add(problem);
                }
            }

            Assert.Empty(disagreements.Take(10));
        }
    }
    /// <summary>A fan of <paramref name="count"/> triangles around (-75.3, -10.7), all meeting at that vertex.</summary>
    private static Geometry[] Fan(int count)
    {
        (double X, double Y) Spoke(int i) => (-75.3 + (0.1 * Math.Cos(2 * Math.PI * i / count)), -10.7 + (0.1 * Math.Sin(2 * Math.PI * i / count)));
        return [.. Enumerable.Range(0, count).Select(i => SmallLayers.Ring((-75.3, -10.7), Spoke(i), Spoke(i + 1)))];
    }

    [Fact]
    public void Sixteen_districts_meeting_at_a_vertex_are_indexed_and_seventeen_are_refused()
    {
        // The class documentation's limit: at most 16 districts within a cell of the deepest level.
        var fan = Fan(16);
        var oracle = new ExactOracle(fan);
        var random = new Random(13);
        var points = fan.SelectMany(d => d.Coordinates).Select(c => (c.X, c.Y))
            .Concat(Enumerable.Range(0, 500).Select(_ => (X: -75.3 + ((random.NextDouble() - 0.5) * 1e-3), Y: -10.7 + ((random.NextDouble() - 0.5) * 1e-3))))
            .Concat(Enumerable.Range(1, 200).Select(i => (X: -75.3 + (i * 1e-9), Y: -10.7)))
            .ToList();
        foreach (var locator in new[] { DistrictLocator.Build(fan), DistrictLocator.Build(CoverageTopology.FromCoverage(fan) ?? throw new InvalidOperationException("not a coverage")) })
        {
            Assert.Empty(points.Select(p => oracle.Disagreement(p.X, p.Y, locator.LocateCovering(p.X, p.Y))).OfType<string>().Take(10));
        }

        var refused = Assert.Throws<InvalidOperationException>(() => DistrictLocator.Build(Fan(17)));
        Assert.StartsWith("More than 16 districts meet within a cell", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_districts_overlap_the_lowest_index_containing_the_point_answers()
    {
        // A layer served as published may overlap: twelve boxes at random, up to a dozen over one point.
        var random = new Random(31);
        var boxes = Enumerable.Range(0, 12).Select(_ =>
        {
            double x = random.NextDouble() * 6, y = random.NextDouble() * 6;
            return (Geometry)SmallLayers.Box(x, y, x + 1 + (random.NextDouble() * 4), y + 1 + (random.NextDouble() * 4));
        }).ToArray();
        var oracle = new ExactOracle(boxes);
        var locator = DistrictLocator.Build(boxes);
        var overlapping = 0;
        for (var i = 0; i < 20_000; i++)
        {
            double x = (random.NextDouble() * 12) - 0.5, y = (random.NextDouble() * 12) - 0.5;
            var (interior, boundary) = oracle.Classify(x, y);
            if (boundary.Count > 0)
            {
                continue;
            }

            overlapping += interior.Count > 1 ? 1 : 0;
            var expected = interior.Count == 0 ? DistrictMatch.NotFound : new DistrictMatch(interior.Min(), LookupMatch.Inside, 0);
            Assert.Equal(expected, locator.LocateCovering(x, y));
        }

        Assert.True(overlapping > 4_000, $"only {overlapping} points in two or more districts");
    }
    [Fact]
    public void Points_on_an_edge_a_few_fixed_point_units_long_are_on_the_border()
    {
        // An edge of 2^-13 by 2^-11 degrees in a cell of about a quarter of a degree: two units by seven of the
        // leaf's 2^12 x 2^12 grid, across the direction of the leaf's centre (whose side the filter then certifies),
        // where the filter's error bound is mostly its additive term, so that a point on the edge near its first end is
        // within the bound of zero. Its points at k/64 of its length are exact doubles (dyadic coordinates near 1, no
        // underflow).
        var (ax, ay) = (1.25, 1.5);
        var (dx, dy) = (Math.ScaleB(1, -13), Math.ScaleB(1, -11));
        Geometry[] districts = [SmallLayers.Ring((ax, ay), (ax + dx, ay + dy), (ax + 0.1, ay + 0.9)), SmallLayers.Ring((ax, ay), (ax + 0.6, ay - 0.2), (ax + dx, ay + dy)), SmallLayers.Box(3, 3, 3.5, 3.5)];
        var oracle = new ExactOracle(districts);
        var points = Enumerable.Range(0, 65).Select(k => (X: ax + (dx * k / 64), Y: ay + (dy * k / 64))).ToList();
        points.AddRange([.. points.SelectMany(p => new[] { (p.X, Math.BitIncrement(p.Y)), (p.X, Math.BitDecrement(p.Y)), (Math.BitIncrement(p.X), p.Y), (Math.BitDecrement(p.X), p.Y) })]);
        foreach (var locator in BothBuilds(districts))
        {
            Assert.Empty(points.Select(p => oracle.Disagreement(p.X, p.Y, locator.LocateCovering(p.X, p.Y))).OfType<string>().Take(10));
            Assert.All(points.Take(65), p => Assert.Equal(LookupMatch.Boundary, locator.LocateCovering(p.X, p.Y).Match));
        }
    }
    /// <summary>
    /// The same short edge on the coast (one district's border only, so no second edge reports a point on it), as
    /// the east side of a district to its west, or mirrored, the west side of one to its east, moved by eighths of a
    /// degree so that the leaf holding it has its centre inside the district in some placements: there the filter's
    /// error bound, if it went negative for so short an edge, would certify a point near the edge's first end on the
    /// centre's side and skip the edge, answering Inside.
    /// </summary>
    [Fact]
    public void Points_on_a_coast_edge_a_few_fixed_point_units_long_are_on_the_border()
    {
        var (dx, dy) = (Math.ScaleB(1, -13), Math.ScaleB(1, -11));
        foreach (var mirror in new[] { 1, -1 })
        {
            for (var shift = 0; shift < 8; shift++)
            {
                var (ax, ay) = (mirror * (1.25 + (shift / 8.0)), 1.5 + (shift / 16.0));
                var (bx, by) = (ax + (mirror * dx), ay + dy);
                var district = SmallLayers.Ring((ax, ay), (bx, by), (bx, ay + 1), (ax - (mirror * 1.0), ay + 1), (ax - (mirror * 1.0), ay - 1), (ax, ay - 1));
                Geometry[] districts = [mirror == 1 ? district : (Geometry)district.Reverse(), SmallLayers.Box(5, 5, 5.5, 5.5)];
                var oracle = new ExactOracle(districts);
                var points = Enumerable.Range(0, 65).Select(k => (X: ax + (mirror * dx * k / 64), Y: ay + (dy * k / 64))).ToList();
                foreach (var locator in BothBuilds(districts))
                {
                    Assert.Empty(points.Select(p => oracle.Disagreement(p.X, p.Y, locator.LocateCovering(p.X, p.Y))).OfType<string>().Take(10));
                    Assert.All(points, p => Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(p.X, p.Y)));
                }
            }
        }
    }

    /// <summary>A closed ring through <paramref name="vertices"/> in their order, starting at the one at <paramref name="start"/>.</summary>
    private static Coordinate[] RingFrom(int start, params Coordinate[] vertices) =>
        [.. Enumerable.Range(0, vertices.Length + 1).Select(i => vertices[(start + i) % vertices.Length].Copy())];

    /// <summary>The index built both ways: over every ring segment, and over the coverage's shared borders.</summary>
    private static DistrictLocator[] BothBuilds(Geometry[] districts) =>
        [DistrictLocator.Build(districts), DistrictLocator.Build(CoverageTopology.FromCoverage(districts) ?? throw new InvalidOperationException("not a coverage"))];

    private static readonly int[][] Permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    /// <summary>
    /// The tip of a notch of two districts into a third, where all three borders at the vertex run west from it (or,
    /// turned by quarter turns, south, east or north): the vertex is on the border, whatever the districts' order,
    /// ring orientations and the vertex each ring starts at (which decide the direction each shared border is stored
    /// in, and so whether a border starts or ends at the vertex), in layers reaching 2 to 3⅞° beyond the tip, so that
    /// in some the leaf holding the vertex has its centre on that side: there every border at the vertex lies beyond
    /// the centre and the point on one axis, except at the vertex itself, and must not be passed over. Expected: a
    /// border answer, the half-open owner.
    /// </summary>
    [Fact]
    public void A_vertex_whose_borders_all_run_one_way_from_it_is_on_the_border()
    {
        var (vx, vy) = (1.25, 1.5);
        var failures = new List<string>();
        for (var turn = 0; turn < 4; turn++)
        {
            var quarterTurns = turn;
            Coordinate At(double x, double y)
            {
                for (var t = 0; t < quarterTurns; t++)
                {
                    (x, y) = (-y, x);
                }

                return new(vx + x, vy + y);
            }

            for (var reach = 0; reach < 16; reach++)
            {
                var beyond = 2 + (reach / 8.0);
                var shell = SmallLayers.Factory.CreateLinearRing([At(-3, -3), At(beyond, -3), At(beyond, 3), At(-3, 3), At(-3, -3)]);
                for (var start = 0; start < 3; start++)
                {
                    var upper = SmallLayers.Factory.CreatePolygon(RingFrom(start, At(0, 0), At(-1, 1), At(-1, 0)));
                    var lower = SmallLayers.Factory.CreatePolygon(RingFrom(start, At(0, 0), At(-1, 0), At(-1, -1)));
                    var notch = SmallLayers.Factory.CreateLinearRing(RingFrom(start, At(0, 0), At(-1, -1), At(-1, 0), At(-1, 1)));
                    Geometry[] three = [upper, lower, SmallLayers.Factory.CreatePolygon(shell, [notch])];
                    for (var variant = 0; variant < 48; variant++)
                    {
                        Geometry[] districts = [.. Permutations[variant % 6].Select((k, i) => ((variant / 6) & (1 << i)) != 0 ? three[k].Reverse() : three[k])];
                        var oracle = new ExactOracle(districts);
                        foreach (var locator in BothBuilds(districts))
                        {
                            var answer = locator.LocateCovering(vx, vy);
                            if (answer.Match != LookupMatch.Boundary || oracle.Disagreement(vx, vy, answer) is not null)
                            {
                                failures.Add($"{quarterTurns} quarter turns, reaching {beyond}°, rings from vertex {start}, variant {variant}: {answer}");
                            }
                        }
                    }
                }
            }
        }

        Assert.Empty(failures.Take(10));
    }

    /// <summary>
    /// A vertex exactly at a grid corner, the south-west corner of the cell that the point lookup takes for it, whose
    /// three borders all run north-west, away from that cell (whose other corners are then all on one side of each),
    /// in every district order and ring orientation: the cell must still hold the borders, which touch it at that one
    /// point, so that the vertex is on the border. Expected: the district above it (the half-open rule), on its
    /// border.
    /// </summary>
    [Fact]
    public void A_vertex_at_a_cell_corner_whose_borders_run_away_from_the_cell_is_on_the_border()
    {
        var (a, b, c) = (new Coordinate(-2.5, 3), new Coordinate(-3, 3), new Coordinate(-3, 2.5));
        Geometry[] Layer(Coordinate v) =>
        [
            SmallLayers.Factory.CreatePolygon([v, a, b, v]),
            SmallLayers.Factory.CreatePolygon([v, b, c, v]),
            SmallLayers.Factory.CreatePolygon([v, c, new(-3, -3), new(3, -3), new(3, 3), a, v]),
        ];

        // The grid depends on the layer's box and its number of edges only, which moving the inner vertex leaves
        // alone: a corner of the grid built with the vertex anywhere is a corner of the grid built with it there (one
        // grid for ring segments, one for shared borders). The corner taken is where the lookup's rounded cell index
        // is exact, so that the vertex is looked up in the cell north-east of it.
        Func<Geometry[], DistrictLocator>[] builds = [d => DistrictLocator.Build(d), d => DistrictLocator.Build(CoverageTopology.FromCoverage(d) ?? throw new InvalidOperationException("not a coverage"))];
        var failures = new List<string>();
        foreach (var build in builds)
        {
            var grid = build(Layer(new(0.1, 0.1))).ToArrays();
            var vertex = (from column in Enumerable.Range(1, grid.Columns - 1)
                          from row in Enumerable.Range(1, grid.Rows - 1)
                          let x = grid.GridMinX + (column * grid.CellWidth)
                          let y = grid.GridMinY + (row * grid.CellHeight)
                          where (int)((x - grid.GridMinX) * (1 / grid.CellWidth)) == column && (int)((y - grid.GridMinY) * (1 / grid.CellHeight)) == row
                          orderby Math.Abs(x - 0.1) + Math.Abs(y - 0.1)
                          select new Coordinate(x, y)).First();
            Assert.InRange(vertex.X, -1, 1);
            Assert.InRange(vertex.Y, -1, 1);
            var three = Layer(vertex);
            for (var variant = 0; variant < 48; variant++)
            {
                Geometry[] districts = [.. Permutations[variant % 6].Select((k, i) => ((variant / 6) & (1 << i)) != 0 ? three[k].Reverse() : three[k])];
                var locator = build(districts);
                var built = locator.ToArrays();
                Assert.Equal((grid.GridMinX, grid.GridMinY, grid.CellWidth, grid.CellHeight), (built.GridMinX, built.GridMinY, built.CellWidth, built.CellHeight));
                var answer = locator.LocateCovering(vertex.X, vertex.Y);
                if (answer != new DistrictMatch(Array.IndexOf(Permutations[variant % 6], 2), LookupMatch.Boundary, 0) || new ExactOracle(districts).Disagreement(vertex.X, vertex.Y, answer) is not null)
                {
                    failures.Add($"variant {variant} at ({vertex.X:R}, {vertex.Y:R}): {answer}");
                }
            }
        }

        Assert.Empty(failures.Take(10));
    }

    /// <summary>
    /// A north-south border a few ulps west of a grid line, inside the cell west of the line (an edge within the
    /// build's rounding tolerance of a cell side is still an edge of the cell): points between the border and the line
    /// are in the district east of the border, points on it on the border. Expected: NTS's exact point location.
    /// </summary>
    [Fact]
    public void A_border_a_few_ulps_west_of_a_cell_line_is_kept_in_the_cell_west_of_it()
    {
        Geometry[] Layer(double border) => [SmallLayers.Box(0, 0, border, 1), SmallLayers.Box(border, 0, 2, 1)];

        // The grid depends on the layer's box and number of edges, not on where the inner border is.
        var grid = DistrictLocator.Build(Layer(1)).ToArrays();
        var line = Enumerable.Range(1, grid.Columns - 1).Select(c => grid.GridMinX + (c * grid.CellWidth)).MinBy(x => Math.Abs(x - 1));
        var border = Math.BitDecrement(Math.BitDecrement(Math.BitDecrement(Math.BitDecrement(line))));
        var districts = Layer(border);
        var oracle = new ExactOracle(districts);
        var locator = DistrictLocator.Build(districts);
        Assert.Equal(grid.CellWidth, locator.ToArrays().CellWidth);

        var failures = new List<string>();
        for (var x = border; x < line; x = Math.BitIncrement(x))
        {
            for (var k = 1; k < 64; k++)
            {
                var answer = locator.LocateCovering(x, k / 64.0);
                if (oracle.Disagreement(x, k / 64.0, answer) is { } problem)
                {
                    failures.Add(problem);
                }
            }
        }

        Assert.Empty(failures.Take(10));
    }
}
