using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;

namespace TileServer.Core.Model;

/// <summary>A point in WGS 84 longitude and latitude (degrees).</summary>
public readonly record struct LonLat(double Lon, double Lat);

/// <summary>
/// Each unit's label point, for every level: the point where a map writes the unit's name, and the point that stands
/// for the unit when an area selects whole units (targeting scopes). Computed once per dataset snapshot and read by
/// every capability that needs one.
/// </summary>
/// <remarks>
/// <para>Algorithm: the pole of inaccessibility (the centre of the largest circle inside the unit,
/// <see cref="PoleOfInaccessibility"/>: the branch and bound of Garcia-Castellanos and Lombardo 2007, as Mapbox
/// polylabel and NTS <c>MaximumInscribedCircle</c> run it) to 1% of the unit's envelope (the larger of its width and
/// height), searched on a copy simplified (Douglas-Peucker) to half that, which is ten times faster on Peru's
/// departments; a centre that falls outside the exact geometry (the simplification moved a border) is replaced by NTS
/// <see cref="Geometry.InteriorPoint"/>, so every label point lies inside its unit. Unless it fell back, the point's
/// distance to the exact boundary is at least the radius of the largest circle inside the unit less 2% of the
/// envelope's larger side: the simplified boundary lies within half a percent of the exact one (Douglas-Peucker's
/// bound), which costs half a percent on that radius and half a percent on the point's distance, and the search 1%. An
/// empty geometry gets (0, 0).</para>
/// <para>Memory: one <see cref="LonLat"/> array per level, aligned with the layer's units. Built in parallel over
/// the units. Immutable after construction; safe to read from any thread.</para>
/// </remarks>
public sealed class LabelPoints
{
    private readonly LonLat[][] _points;

    private LabelPoints(LonLat[][] points) => _points = points;

    /// <summary>Label points computed before (a snapshot file): one array per level, in <see cref="AdminLevel"/> order, aligned with the layers' units.</summary>
    internal static LabelPoints FromPoints(LonLat[][] points) => new(points);

    /// <summary>The label points of <paramref name="level"/>'s units, aligned with its layer's <see cref="AdminLayer.Units"/>.</summary>
    public ReadOnlySpan<LonLat> Of(AdminLevel level) => _points[(int)level];

    /// <summary>The label point of unit <paramref name="unit"/> of <paramref name="level"/>.</summary>
    public LonLat Of(AdminLevel level, int unit) => _points[(int)level][unit];

    /// <summary>Computes the label points of the three layers' units.</summary>
    public static LabelPoints Compute(AdminLayer departments, AdminLayer provinces, AdminLayer districts)
    {
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(provinces);
        ArgumentNullException.ThrowIfNull(districts);
        var layers = new[] { departments, provinces, districts };
        var points = new LonLat[layers.Length][];
        for (var l = 0; l < layers.Length; l++)
        {
            if (layers[l].Level != (AdminLevel)l)
            {
                throw new ArgumentException($"expected the {(AdminLevel)l} layer, got the {layers[l].Level} layer");
            }

            points[l] = new LonLat[layers[l].Units.Count];
        }

        // One flat loop over every unit of every level: the departments are few and slow, the districts many and fast.
        var work = layers.SelectMany((layer, l) => Enumerable.Range(0, layer.Units.Count).Select(u => (Level: l, Unit: u))).ToArray();
        Parallel.For(0, work.Length, LoadParallelism.Options, i =>
        {
            var (level, unit) = work[i];
            var point = Of(layers[level].Units[unit].Geometry);
            points[level][unit] = new LonLat(point.X, point.Y);
        });
        return new LabelPoints(points);
    }

    /// <summary>The label point of one polygonal geometry (see the remarks of <see cref="LabelPoints"/>).</summary>
    public static Coordinate Of(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.IsEmpty)
        {
            return new Coordinate(0, 0);
        }

        var envelope = geometry.EnvelopeInternal;
        var tolerance = Math.Max(Math.Max(envelope.Width, envelope.Height) / 100, 1e-7);
        if (geometry.Area > 0)
        {
            var coarse = DouglasPeuckerSimplifier.Simplify(geometry, tolerance / 2);
            if (!coarse.IsEmpty && coarse.Area > 0)
            {
                var centre = PoleOfInaccessibility.Find(coarse, tolerance);
                // The point-in-polygon test (ray crossing, exact orientation), which is what Contains answers for a
                // point, without the topology graph Contains builds of the whole unit (seconds over Peru's levels).
                if (SimplePointInAreaLocator.Locate(centre, geometry) == Location.Interior)
                {
                    return centre;
                }
            }
        }

        return geometry.InteriorPoint.Coordinate;
    }
}
