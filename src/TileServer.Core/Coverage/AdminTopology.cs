using NetTopologySuite.Geometries;
using TileServer.Core.Model;

namespace TileServer.Core.Coverage;

/// <summary>
/// The three administrative levels over one district <see cref="CoverageTopology"/>: the districts are its units, and
/// the provinces and departments its dissolves by the <see cref="ParentIndex"/> (<see cref="CoverageTopology.Dissolve"/>),
/// each level's rings held as chain references. Traced once per load and handed on: the served geometry of every level
/// and every zoom of the tiles (projected with <see cref="Project"/>, which keeps the chain numbers) are rebuilt from
/// these same rings, so the levels share their borders vertex for vertex wherever they are drawn.
/// </summary>
/// <remarks>Immutable after construction; safe to read from any thread.</remarks>
public sealed class AdminTopology
{
    private readonly ChainPolygons[] _rings;

    private AdminTopology(CoverageTopology districts, ChainPolygons[] rings)
    {
        Districts = districts;
        _rings = rings;
    }

    /// <summary>The districts' coverage topology (its units are the district layer's units, in order).</summary>
    public CoverageTopology Districts { get; }

    /// <summary>The rings of <paramref name="level"/>'s units, aligned with that layer's units.</summary>
    public ChainPolygons Rings(AdminLevel level) => _rings[(int)level];

    /// <summary>Dissolves the provinces and departments of <paramref name="districts"/> by <paramref name="parents"/>.</summary>
    public static AdminTopology Build(CoverageTopology districts, ParentIndex parents)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(parents);
        var rings = new ChainPolygons[3];
        rings[(int)AdminLevel.District] = districts.Units;
        foreach (var level in (ReadOnlySpan<AdminLevel>)[AdminLevel.Province, AdminLevel.Department])
        {
            rings[(int)level] = districts.Dissolve(parents.Of(AdminLevel.District, level).ToArray(), parents.Count(level));
        }

        return new AdminTopology(districts, rings);
    }

    /// <summary>The same levels over the districts' topology projected by <paramref name="x"/> and <paramref name="y"/>.</summary>
    public AdminTopology Project(Func<double, double> x, Func<double, double> y) => new(Districts.Project(x, y), _rings);

    /// <summary>One geometry per unit of <paramref name="level"/>, in the topology's coordinates.</summary>
    public Geometry[] ToGeometries(AdminLevel level, GeometryFactory factory) => Districts.ToGeometries(_rings[(int)level], factory);
}
