using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Triangulate;
using CoverageUnion = NetTopologySuite.Coverage.CoverageUnion;

namespace TileServer.Core.Sample;

/// <summary>
/// District polygons of the synthetic country: a clean polygonal coverage of the mainland, plus enclaves and islands.
/// </summary>
/// <remarks>
/// <para>Algorithm:</para>
/// <list type="number">
/// <item>Seeded random sites on land (most uniform, a share clustered around the cities, as urban districts are small).</item>
/// <item>Their Voronoi cells (NTS <see cref="VoronoiDiagramBuilder"/>, Guibas-Stolfi quad-edge Delaunay). Each Voronoi
/// vertex is one triangle circumcentre computed once and shared by the three cells around it, so neighbouring cells
/// carry bit-identical shared edges.</item>
/// <item>Only cells not inside the land are intersected with it (OverlayNG, floating precision, unoptimised so that input
/// segments are never pre-clipped). Both cells on either side of a border crossing the coast compute its crossing point
/// from the same two input segments, and that computation is symmetric in segment order and direction, so they get the
/// same point and the coverage stays exact. Tests check this with <see cref="CoverageValidator"/>.</item>
/// <item>Clipping can cut a cell into pieces (a convex cell reaching across a bay). Pieces without the site are merged
/// (<see cref="CoverageUnion"/>) into the neighbour they share the longest border with, found by exact segment hashing.</item>
/// <item>Enclaves: inside the districts nearest to the first cities, a smaller copy of the cell scaled toward its site
/// (which a homothety of a convex cell keeps strictly inside) becomes a district of its own and a hole in its host.</item>
/// <item>Islands join the nearest coastal district as extra parts of a MultiPolygon.</item>
/// </list>
/// <para>Cost: O(n log n) for the triangulation; clipping touches only the O(√n) coastal cells. Not thread-safe while
/// being built; immutable afterwards.</para>
/// </remarks>
internal sealed class DistrictTessellation
{
    private const double ClusteredShare = 0.2;
    private const int EnclaveCount = 2;
    private const double EnclaveScale = 0.4;

    private DistrictTessellation(Geometry[] geometries, double[] siteXKm, double[] siteYKm, int islandCount, int mergedPieceCount)
    {
        Geometries = geometries;
        SiteXKm = siteXKm;
        SiteYKm = siteYKm;
        IslandCount = islandCount;
        MergedPieceCount = mergedPieceCount;
    }

    /// <summary>District geometries (Polygon, or MultiPolygon for districts with islands), in no particular order.</summary>
    public IReadOnlyList<Geometry> Geometries { get; }

    /// <summary>Each district's generating site in the country's local frame (enclaves share their host's site).</summary>
    public IReadOnlyList<double> SiteXKm { get; }

    public IReadOnlyList<double> SiteYKm { get; }

    public int IslandCount { get; }

    /// <summary>Pieces of clipped cells, cut off from their site, that were merged into a neighbouring district.</summary>
    public int MergedPieceCount { get; }

    public static DistrictTessellation Create(CountryShape country, int districtCount, SampleRandom random, GeometryFactory factory)
    {
        var siteCount = districtCount - EnclaveCount;
        var sites = SampleSites(country, siteCount, random);
        var cells = VoronoiCells(sites, factory);
        var (mainland, clipped, mergedPieces) = ClipToLand(country, sites, cells, factory);

        var geometries = new List<Geometry>(districtCount);
        geometries.AddRange(mainland);
        var siteX = new List<double>(districtCount);
        var siteY = new List<double>(districtCount);
        foreach (var site in sites)
        {
            siteX.Add(country.Frame.X(site.X));
            siteY.Add(country.Frame.Y(site.Y));
        }

        AddEnclaves(country, sites, clipped, geometries, siteX, siteY, factory);
        AttachIslands(country, clipped, geometries, factory);
        return new DistrictTessellation([.. geometries], [.. siteX], [.. siteY], country.Islands.Count, mergedPieces);
    }

    private static Coordinate[] SampleSites(CountryShape country, int count, SampleRandom random)
    {
        var envelope = country.Outline.EnvelopeInternal;
        var frame = country.Frame;
        var minX = frame.X(envelope.MinX);
        var maxX = frame.X(envelope.MaxX);
        var minY = frame.Y(envelope.MinY);
        var maxY = frame.Y(envelope.MaxY);
        var totalWeight = country.Cities.Sum(c => c.Weight);

        var sites = new Coordinate[count];
        var seen = new HashSet<Coordinate>(count);
        var n = 0;
        while (n < count)
        {
            double x, y;
            if (random.Chance(ClusteredShare))
            {
                var city = PickCity(country.Cities, random.NextDouble() * totalWeight);
                x = city.XKm + (2.5 * city.SigmaKm * random.Gaussian());
                y = city.YKm + (2.5 * city.SigmaKm * random.Gaussian());
            }
            else
            {
                x = random.Uniform(minX, maxX);
                y = random.Uniform(minY, maxY);
            }

            var site = new Coordinate(frame.Lon(x), frame.Lat(y));
            if (country.IsOnLand(x, y) && seen.Add(site))
            {
                sites[n++] = site;
            }
        }

        return sites;
    }

    private static City PickCity(IReadOnlyList<City> cities, double target)
    {
        foreach (var city in cities)
        {
            target -= city.Weight;
            if (target < 0)
            {
                return city;
            }
        }

        return cities[^1];
    }

    private static Polygon[] VoronoiCells(Coordinate[] sites, GeometryFactory factory)
    {
        var builder = new VoronoiDiagramBuilder();
        builder.SetSites(sites);
        var polygons = builder.GetSubdivision().GetVoronoiCellPolygons(factory);

        var indexOfSite = new Dictionary<Coordinate, int>(sites.Length);
        for (var i = 0; i < sites.Length; i++)
        {
            indexOfSite.Add(sites[i], i);
        }

        var cells = new Polygon[sites.Length];
        foreach (var polygon in polygons)
        {
            var site = (Coordinate)polygon.UserData;
            cells[indexOfSite[site]] = (Polygon)polygon;
        }

        if (Array.IndexOf(cells, null) is var missing and >= 0)
        {
            throw new InvalidOperationException($"The Voronoi diagram has no cell for site {missing}.");
        }

        return cells;
    }

    private static (Polygon[] Mainland, bool[] Clipped, int MergedPieces) ClipToLand(
        CountryShape country, Coordinate[] sites, Polygon[] cells, GeometryFactory factory)
    {
        var land = PreparedGeometryFactory.Prepare(country.Land);
        var mainland = new Polygon[cells.Length];
        var clipped = new bool[cells.Length];
        var orphans = new List<Polygon>();
        for (var i = 0; i < cells.Length; i++)
        {
            if (land.Contains(cells[i]))
            {
                mainland[i] = cells[i];
                continue;
            }

            clipped[i] = true;
            var overlay = new OverlayNG(cells[i], country.Land, SpatialFunction.Intersection)
            {
                Optimized = false,
                StrictMode = true,
            };
            var result = overlay.GetResult();
            var site = factory.CreatePoint(sites[i]);
            for (var p = 0; p < result.NumGeometries; p++)
            {
                if (result.GetGeometryN(p) is not Polygon piece || piece.IsEmpty)
                {
                    continue;
                }

                if (mainland[i] is null && piece.Intersects(site))
                {
                    mainland[i] = piece;
                }
                else
                {
                    orphans.Add(piece);
                }
            }

            if (mainland[i] is null)
            {
                throw new InvalidOperationException($"Clipping lost the piece of cell {i} that holds its site.");
            }
        }

        MergeOrphans(mainland, orphans, clipped);
        return (mainland, clipped, orphans.Count);
    }

    /// <summary>
    /// Merges each orphan piece into the district it shares the longest border with, and marks that district clipped:
    /// the orphan lay on the land boundary, so the district now does too, and it is no longer a convex cell.
    /// </summary>
    private static void MergeOrphans(Polygon[] mainland, List<Polygon> orphans, bool[] clipped)
    {
        if (orphans.Count == 0)
        {
            return;
        }

        var owner = new Dictionary<SegmentKey, int>();
        for (var i = 0; i < mainland.Length; i++)
        {
            var district = i;
            SegmentKey.ForEach(mainland[i], (key, _) => owner.TryAdd(key, district));
        }

        var ownerOfOrphan = new int[orphans.Count];
        Array.Fill(ownerOfOrphan, -1);
        var progress = true;
        while (progress)
        {
            progress = false;
            for (var o = 0; o < orphans.Count; o++)
            {
                if (ownerOfOrphan[o] >= 0)
                {
                    continue;
                }

                var shared = new Dictionary<int, double>();
                SegmentKey.ForEach(orphans[o], (key, length) =>
                {
                    if (owner.TryGetValue(key, out var district))
                    {
                        shared[district] = shared.GetValueOrDefault(district) + length;
                    }
                });
                if (shared.Count == 0)
                {
                    continue;
                }

                var best = shared.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
                ownerOfOrphan[o] = best;
                SegmentKey.ForEach(orphans[o], (key, _) => owner.TryAdd(key, best));
                progress = true;
            }
        }

        foreach (var group in Enumerable.Range(0, orphans.Count).Where(o => ownerOfOrphan[o] >= 0).GroupBy(o => ownerOfOrphan[o]))
        {
            var parts = new List<Geometry> { mainland[group.Key] };
            parts.AddRange(group.Select(o => orphans[o]));
            clipped[group.Key] = true;
            mainland[group.Key] = CoverageUnion.Union([.. parts]) as Polygon
                ?? throw new InvalidOperationException($"Merging orphan pieces into district {group.Key} did not give one polygon.");
        }

        if (Array.IndexOf(ownerOfOrphan, -1) >= 0)
        {
            throw new InvalidOperationException("A clipped piece of a district touches no other district.");
        }
    }

    private static void AddEnclaves(
        CountryShape country,
        Coordinate[] sites,
        bool[] clipped,
        List<Geometry> geometries,
        List<double> siteX,
        List<double> siteY,
        GeometryFactory factory)
    {
        for (var e = 0; e < EnclaveCount; e++)
        {
            var city = country.Cities[e % country.Cities.Count];
            var host = -1;
            var bestDistance = double.MaxValue;
            for (var i = 0; i < sites.Length; i++)
            {
                var distance = Math.Pow(siteX[i] - city.XKm, 2) + Math.Pow(siteY[i] - city.YKm, 2);
                if (!clipped[i] && geometries[i] is Polygon { NumInteriorRings: 0 } && distance < bestDistance)
                {
                    host = i;
                    bestDistance = distance;
                }
            }

            if (host < 0)
            {
                throw new InvalidOperationException("No inland district can host an enclave.");
            }

            var hostPolygon = (Polygon)geometries[host];
            var site = sites[host];
            var shell = hostPolygon.Shell.Coordinates;
            var ring = new Coordinate[shell.Length];
            for (var j = 0; j < shell.Length; j++)
            {
                ring[j] = new Coordinate(
                    site.X + (EnclaveScale * (shell[j].X - site.X)),
                    site.Y + (EnclaveScale * (shell[j].Y - site.Y)));
            }

            ring[^1] = ring[0];
            geometries[host] = factory.CreatePolygon(hostPolygon.Shell, [factory.CreateLinearRing(ring)]);
            geometries.Add(factory.CreatePolygon(factory.CreateLinearRing(ring)));
            siteX.Add(siteX[host]);
            siteY.Add(siteY[host]);
        }
    }

    private static void AttachIslands(CountryShape country, bool[] clipped, List<Geometry> geometries, GeometryFactory factory)
    {
        var islandsOf = new Dictionary<int, List<Polygon>>();
        foreach (var island in country.Islands)
        {
            var nearest = -1;
            var bestDistance = double.MaxValue;
            for (var i = 0; i < clipped.Length; i++)
            {
                if (!clipped[i])
                {
                    continue;
                }

                var distance = geometries[i].Distance(island);
                if (distance < bestDistance)
                {
                    nearest = i;
                    bestDistance = distance;
                }
            }

            if (!islandsOf.TryGetValue(nearest, out var list))
            {
                islandsOf[nearest] = list = [];
            }

            list.Add(island);
        }

        foreach (var (district, islands) in islandsOf)
        {
            var parts = new List<Polygon>();
            for (var p = 0; p < geometries[district].NumGeometries; p++)
            {
                parts.Add((Polygon)geometries[district].GetGeometryN(p));
            }

            parts.AddRange(islands);
            geometries[district] = factory.CreateMultiPolygon([.. parts]);
        }
    }
}
