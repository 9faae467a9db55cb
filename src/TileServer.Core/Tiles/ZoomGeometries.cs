using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Simplify;
using TileServer.Core.Coverage;
using TileServer.Core.Model;

namespace TileServer.Core.Tiles;

/// <summary>
/// Each zoom's simplified geometries of the active levels, in Web Mercator metres, handed on as soon as they are
/// final (the tileset's pipeline clips a zoom's tiles while the coarser zooms are still being ranked).
/// </summary>
/// <remarks>
/// <para>With the levels' <see cref="AdminTopology"/> (traced once per load): the districts' topology is projected once,
/// its chains ranked once (<see cref="ChainSimplification"/>), and each zoom rebuilds the districts, provinces and
/// departments from their rings over the same chains with that zoom's vertex filter. Every level thus has
/// the same vertices along every shared border at every zoom, with no union per zoom.</para>
/// <para>Without topology (a layer served as published is not a coverage): each unit of each level is simplified on
/// its own (NTS Douglas-Peucker, repaired with GeometryFixer when that makes it invalid); cracks between neighbours are
/// possible.</para>
/// <para>Thread safety: stateless; <c>ready</c> is called on the calling thread and its functions may run on any.</para>
/// </remarks>
internal static class ZoomGeometries
{
    private const int Levels = 3;

    private static readonly GeometryFactory MercatorFactory = new(new PrecisionModel(), 3857, PackedCoordinateSequenceFactory.DoubleFactory);

    /// <summary>
    /// Calls <paramref name="ready"/> with each zoom's index in <paramref name="zooms"/> and a function computing its
    /// geometries (per level, null for levels not active at that zoom), finest zoom first with a topology.
    /// </summary>
    public static void Produce((int Zoom, int[] Active)[] zooms, AdminLayer[] layers, AdminTopology? topology,
        TilesOptions options, Action<int, Func<Geometry[]?[]>> ready)
    {
        if (zooms.Length == 0)
        {
            return;
        }

        double Tolerance(int z) => options.SimplifyTolerance * WebMercator.TileSize(z) / options.Extent;
        if (topology is not null)
        {
            FromTopology(zooms, topology, zooms.Select(z => Tolerance(z.Zoom)).ToArray(), ready);
            return;
        }

        var originals = new Geometry[Levels][];
        foreach (var l in zooms.SelectMany(z => z.Active).Distinct())
        {
            originals[l] = [.. layers[l].Units.Select(u => TilesetBuilder.ToMercator(u.Geometry))];
        }

        for (var i = 0; i < zooms.Length; i++)
        {
            var (zoom, active) = zooms[i];
            ready(i, () => Levelled(active, l => [.. originals[l].Select(g => SimplifyAlone(g, Tolerance(zoom)))]));
        }
    }

    private static void FromTopology((int Zoom, int[] Active)[] zooms, AdminTopology topology,
        double[] tolerances, Action<int, Func<Geometry[]?[]>> ready)
    {
        var projected = topology.Project(WebMercator.X, WebMercator.Y);

        var largest = tolerances.Max();
        if (largest <= 0)
        {
            for (var i = 0; i < zooms.Length; i++)
            {
                var active = zooms[i].Active;
                ready(i, () => Levelled(active, l => projected.ToGeometries((AdminLevel)l, MercatorFactory)));
            }

            return;
        }

        ChainSimplification.Rank(projected.Districts, largest, tolerances, (simplification, tolerance) =>
        {
            for (var i = 0; i < zooms.Length; i++)
            {
                if (tolerances[i] == tolerance)
                {
                    var active = zooms[i].Active;
                    ready(i, () => Levelled(active, l => simplification.Simplify(projected.Rings((AdminLevel)l), tolerance, MercatorFactory)));
                }
            }
        });
    }

    private static Geometry[]?[] Levelled(int[] active, Func<int, Geometry[]> build)
    {
        var geometries = new Geometry[]?[Levels];
        foreach (var l in active)
        {
            geometries[l] = build(l);
        }

        return geometries;
    }

    private static Geometry SimplifyAlone(Geometry geometry, double tolerance)
    {
        if (tolerance <= 0)
        {
            return geometry;
        }

        var simplified = DouglasPeuckerSimplifier.Simplify(geometry, tolerance);
        return simplified.IsValid ? simplified : GeometryFixer.Fix(simplified);
    }
}
