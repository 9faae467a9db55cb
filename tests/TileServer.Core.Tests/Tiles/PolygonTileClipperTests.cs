using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

public class PolygonTileClipperTests
{
    private const int Zoom = 10;
    private const int TileX = 300;
    private const int TileY = 500;
    private const int Extent = 4096;
    private const int Buffer = 64;
    private static readonly GeometryFactory Factory = new();

    public static TheoryData<string> Polygons => ["comb", "frame"];

    [Theory]
    [MemberData(nameof(Polygons))]
    public void Rings_crossing_the_tile_edge_many_times_are_clipped_like_an_exact_intersection_without_the_overlay(string name)
    {
        var polygon = name == "comb" ? Comb() : Frame();
        var clipper = new PolygonTileClipper();
        clipper.SetTile(Zoom, TileX, TileY, Extent, Buffer);
        var commands = new GeometryCommands();

        var written = clipper.Clip(ToMercator(polygon), commands);

        Assert.Equal(0, clipper.Fallbacks);
        var rings = Decode(commands.Written);
        Assert.Equal(written, rings.Count);
        var box = Factory.ToGeometry(new Envelope(-Buffer, Extent + Buffer, -Buffer, Extent + Buffer));
        var expected = polygon.Intersection(box);
        var exteriors = rings.Count(r => Area2(r) > 0);
        Assert.Equal(expected.NumGeometries, exteriors);
        Assert.Equal(Enumerable.Range(0, expected.NumGeometries).Sum(i => ((Polygon)expected.GetGeometryN(i)).NumInteriorRings), rings.Count - exteriors);
        var area = rings.Sum(r => Area2(r)) / 2.0;
        Assert.True(Math.Abs(area - expected.Area) <= expected.Length / 2, $"area {area}, exact {expected.Area}");

        var decoded = Factory.CreateMultiPolygon([.. Polygonise(rings)]);
        Assert.True(decoded.IsValid, "the clipped rings form valid polygons");
    }

    /// <summary>In tile units (y down): a comb whose teeth cross the west buffer edge ten times, with a hole across the north edge.</summary>
    private static Polygon Comb()
    {
        var shell = new List<Coordinate> { new(-400, -500), new(300, -500), new(300, 3000), new(-400, 3000) };
        for (var y = 2800; y > 0; y -= 600)
        {
            shell.Add(new Coordinate(-400, y));
            shell.Add(new Coordinate(100, y - 100));
            shell.Add(new Coordinate(100, y - 300));
            shell.Add(new Coordinate(-400, y - 400));
        }

        shell.Add(shell[0]);
        var hole = new Coordinate[] { new(150, -200), new(250, -200), new(250, 400), new(150, 400), new(150, -200) };
        return Factory.CreatePolygon(Factory.CreateLinearRing([.. shell]), [Factory.CreateLinearRing(hole)]);
    }

    /// <summary>In tile units: a shell around the whole tile, a hole running across it from west to east, and a hole inside.</summary>
    private static Polygon Frame()
    {
        var shell = new Coordinate[] { new(-1000, -1000), new(5000, -1000), new(5000, 5000), new(-1000, 5000), new(-1000, -1000) };
        var across = new Coordinate[] { new(-500, 1000), new(4600, 1200), new(4600, 1500), new(2000, 1400), new(-500, 1600), new(-500, 1000) };
        var inside = new Coordinate[] { new(1000, 3000), new(1500, 3000), new(1500, 3500), new(1000, 3500), new(1000, 3000) };
        return Factory.CreatePolygon(Factory.CreateLinearRing(shell), [Factory.CreateLinearRing(across), Factory.CreateLinearRing(inside)]);
    }

    private static Geometry ToMercator(Polygon tileUnits)
    {
        var west = WebMercator.TileWest(Zoom, TileX);
        var north = WebMercator.TileNorth(Zoom, TileY);
        var unit = WebMercator.TileSize(Zoom) / Extent;
        return ProjectedCopy.Of(tileUnits, x => west + (x * unit), y => north - (y * unit));
    }

    /// <summary>MVT geometry commands (MoveTo, LineTo, ClosePath; zigzag deltas) back to rings of tile units.</summary>
    private static List<(int X, int Y)[]> Decode(ReadOnlySpan<uint> commands)
    {
        var rings = new List<(int X, int Y)[]>();
        var ring = new List<(int X, int Y)>();
        int x = 0, y = 0, i = 0;
        while (i < commands.Length)
        {
            var id = commands[i] & 7;
            var count = (int)(commands[i++] >> 3);
            if (id == 7)
            {
                rings.Add([.. ring]);
                ring.Clear();
                continue;
            }

            for (var k = 0; k < count; k++)
            {
                x += Zigzag(commands[i++]);
                y += Zigzag(commands[i++]);
                ring.Add((x, y));
            }
        }

        return rings;

        static int Zigzag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);
    }

    private static long Area2((int X, int Y)[] ring)
    {
        long area2 = 0;
        for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
        {
            area2 += ((long)ring[j].X * ring[i].Y) - ((long)ring[i].X * ring[j].Y);
        }

        return area2;
    }

    private static IEnumerable<Polygon> Polygonise(List<(int X, int Y)[]> rings)
    {
        LinearRing Ring((int X, int Y)[] r) => Factory.CreateLinearRing([.. r.Select(p => new Coordinate(p.X, p.Y)), new Coordinate(r[0].X, r[0].Y)]);
        for (var i = 0; i < rings.Count;)
        {
            var shell = Ring(rings[i++]);
            var holes = new List<LinearRing>();
            while (i < rings.Count && Area2(rings[i]) < 0)
            {
                holes.Add(Ring(rings[i++]));
            }

            yield return Factory.CreatePolygon(shell, [.. holes]);
        }
    }
}
