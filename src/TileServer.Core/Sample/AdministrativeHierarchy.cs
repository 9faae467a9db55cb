namespace TileServer.Core.Sample;

/// <summary>
/// Groups districts into provinces and departments that are contiguous by construction, and numbers them with INEI-like
/// codes: 2 digits department, 2 province within department, 2 district within province.
/// </summary>
/// <remarks>
/// <para>Algorithm: districts are adjacent when they share a border segment (exact segment hashing, linear time). Regions
/// grow from seed districts over that graph (<see cref="RegionGrowth"/>, balanced multi-source Dijkstra weighted by the
/// distance between sites): a district always joins a region from an adjacent district of that region, so every region
/// is connected (plain nearest-seed assignment could split a region across a bay or the lake). Seeds are taken at even
/// steps along a Hilbert curve through the sites, which spreads them out in proportion to district density.</para>
/// <para>Sizes: t = ⌈∛n⌉ districts per province and about t provinces per department, so 100,000 districts make about 45
/// departments of 47 provinces of 47 districts. A province holds at most 99 districts (a full province stops growing;
/// districts no region can reach any more seed new provinces), and a department at most 99 provinces.</para>
/// <para>Immutable after construction; safe to read from any thread.</para>
/// </remarks>
internal sealed class AdministrativeHierarchy
{
    public const int MaxCodeValue = 99;

    private AdministrativeHierarchy(int[] department, int[] province, int[] district, int departmentCount, int[] provincesPerDepartment)
    {
        DepartmentNumber = department;
        ProvinceNumber = province;
        DistrictNumber = district;
        DepartmentCount = departmentCount;
        ProvincesPerDepartment = provincesPerDepartment;
    }

    /// <summary>Department number (1-based) of each district.</summary>
    public IReadOnlyList<int> DepartmentNumber { get; }

    /// <summary>Province number (1-based) within its department, of each district.</summary>
    public IReadOnlyList<int> ProvinceNumber { get; }

    /// <summary>District number (1-based) within its province; number 1 is the province's capital district.</summary>
    public IReadOnlyList<int> DistrictNumber { get; }

    public int DepartmentCount { get; }

    /// <summary>Number of provinces in each department, indexed by department number - 1.</summary>
    public IReadOnlyList<int> ProvincesPerDepartment { get; }

    public int ProvinceCount => ProvincesPerDepartment.Sum();

    public string Ubigeo(int district) =>
        $"{DepartmentNumber[district]:00}{ProvinceNumber[district]:00}{DistrictNumber[district]:00}";

    public static AdministrativeHierarchy Create(DistrictTessellation tessellation)
    {
        var n = tessellation.Geometries.Count;
        var graph = DistrictGraph.Create(tessellation);
        var hilbertOrder = HilbertOrder(tessellation);
        var perRegion = Math.Max(3, (int)Math.Ceiling(Math.Cbrt(n)));

        var everywhere = new int[n];
        var departmentOf = new int[n];
        var departmentCount = Math.Clamp((int)Math.Round((double)n / (perRegion * perRegion)), 1, MaxCodeValue);
        departmentCount = RegionGrowth.Grow(graph, hilbertOrder, everywhere, 0, departmentCount, int.MaxValue, departmentOf, out _);
        if (departmentCount > MaxCodeValue)
        {
            throw new InvalidOperationException($"{departmentCount} departments do not fit a 2-digit code.");
        }

        var provinceOf = new int[n];
        var districtNumber = new int[n];
        var provincesPerDepartment = new int[departmentCount];
        for (var d = 0; d < departmentCount; d++)
        {
            var department = d;
            var members = hilbertOrder.Where(i => departmentOf[i] == department).ToArray();
            var target = Math.Clamp((int)Math.Round((double)members.Length / perRegion), 1, MaxCodeValue);
            var provinces = RegionGrowth.Grow(graph, members, departmentOf, department, target, MaxCodeValue, provinceOf, out var capitals);
            if (provinces > MaxCodeValue)
            {
                throw new InvalidOperationException(
                    $"Department {department + 1} needs {provinces} provinces, more than a 2-digit code allows; use fewer districts.");
            }

            provincesPerDepartment[d] = provinces;
            var next = new int[provinces];
            foreach (var capital in capitals)
            {
                districtNumber[capital] = ++next[provinceOf[capital]];
            }

            foreach (var member in members)
            {
                if (districtNumber[member] == 0)
                {
                    districtNumber[member] = ++next[provinceOf[member]];
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            departmentOf[i]++;
            provinceOf[i]++;
        }

        return new AdministrativeHierarchy(departmentOf, provinceOf, districtNumber, departmentCount, provincesPerDepartment);
    }

    /// <summary>District indices sorted along a Hilbert curve through their sites (ties by index).</summary>
    private static int[] HilbertOrder(DistrictTessellation tessellation)
    {
        const int order = 16;
        const int side = 1 << order;
        var n = tessellation.Geometries.Count;
        double minX = tessellation.SiteXKm.Min(), maxX = tessellation.SiteXKm.Max();
        double minY = tessellation.SiteYKm.Min(), maxY = tessellation.SiteYKm.Max();
        var scale = (side - 1) / Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-9);
        var keys = new long[n];
        var indices = new int[n];
        for (var i = 0; i < n; i++)
        {
            indices[i] = i;
            keys[i] = HilbertIndex(
                (int)((tessellation.SiteXKm[i] - minX) * scale),
                (int)((tessellation.SiteYKm[i] - minY) * scale),
                side);
        }

        Array.Sort(indices, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        return indices;
    }

    /// <summary>Position of cell (x, y) along the Hilbert curve filling a side × side grid (side a power of two).</summary>
    private static long HilbertIndex(int x, int y, int side)
    {
        long d = 0;
        for (var s = side / 2; s > 0; s /= 2)
        {
            var rx = (x & s) > 0 ? 1 : 0;
            var ry = (y & s) > 0 ? 1 : 0;
            d += (long)s * s * ((3 * rx) ^ ry);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    x = side - 1 - x;
                    y = side - 1 - y;
                }

                (x, y) = (y, x);
            }
        }

        return d;
    }
}

/// <summary>Districts adjacent by a shared border segment, in compressed sparse row form, with site distances.</summary>
internal sealed class DistrictGraph
{
    private DistrictGraph(int[] start, int[] neighbour, double[] weight)
    {
        Start = start;
        Neighbour = neighbour;
        Weight = weight;
    }

    public int[] Start { get; }

    public int[] Neighbour { get; }

    public double[] Weight { get; }

    public static DistrictGraph Create(DistrictTessellation tessellation)
    {
        var n = tessellation.Geometries.Count;
        var firstOwner = new Dictionary<SegmentKey, int>();
        var pairs = new HashSet<(int, int)>();
        for (var i = 0; i < n; i++)
        {
            var district = i;
            SegmentKey.ForEach(tessellation.Geometries[i], (key, _) =>
            {
                if (!firstOwner.TryAdd(key, district) && firstOwner[key] is var other && other != district)
                {
                    pairs.Add((Math.Min(other, district), Math.Max(other, district)));
                }
            });
        }

        var degree = new int[n + 1];
        foreach (var (a, b) in pairs)
        {
            degree[a + 1]++;
            degree[b + 1]++;
        }

        for (var i = 0; i < n; i++)
        {
            degree[i + 1] += degree[i];
        }

        var start = (int[])degree.Clone();
        var fill = (int[])degree.Clone();
        var neighbour = new int[degree[n]];
        var weight = new double[degree[n]];
        foreach (var (a, b) in pairs.Order())
        {
            var distance = Math.Sqrt(
                Math.Pow(tessellation.SiteXKm[a] - tessellation.SiteXKm[b], 2) +
                Math.Pow(tessellation.SiteYKm[a] - tessellation.SiteYKm[b], 2));
            neighbour[fill[a]] = b;
            weight[fill[a]++] = distance;
            neighbour[fill[b]] = a;
            weight[fill[b]++] = distance;
        }

        return new DistrictGraph(start, neighbour, weight);
    }
}

/// <summary>Balanced, capacity-limited multi-source region growth; see <see cref="AdministrativeHierarchy"/>.</summary>
internal static class RegionGrowth
{
    /// <summary>
    /// Assigns every member (districts whose <paramref name="scopeOf"/> equals <paramref name="scope"/>, given in Hilbert
    /// order) to a region; returns the number of regions, at least <paramref name="seedCount"/>, and each region's seed
    /// (its first district) in <paramref name="seeds"/>.
    /// </summary>
    /// <remarks>
    /// The smallest region that can still grow always takes the next step, claiming the unassigned district nearest to
    /// its seed along the graph (Dijkstra order within the region). Regions thus stay equal in district count, growing
    /// over a small area where districts are dense, until they meet. A region stops at <paramref name="capacity"/> or
    /// when it is enclosed; members left over start new regions.
    /// </remarks>
    public static int Grow(
        DistrictGraph graph,
        int[] members,
        int[] scopeOf,
        int scope,
        int seedCount,
        int capacity,
        int[] regionOf,
        out List<int> seeds)
    {
        foreach (var member in members)
        {
            regionOf[member] = -1;
        }

        var regionSeeds = new List<int>();
        var sizes = new List<int>();
        var frontiers = new List<PriorityQueue<int, double>>();
        var smallest = new PriorityQueue<int, (int Size, int Region)>();

        void Claim(int district, int region, double distance)
        {
            regionOf[district] = region;
            sizes[region]++;
            for (var e = graph.Start[district]; e < graph.Start[district + 1]; e++)
            {
                var next = graph.Neighbour[e];
                if (scopeOf[next] == scope && regionOf[next] == -1)
                {
                    frontiers[region].Enqueue(next, distance + graph.Weight[e]);
                }
            }
        }

        void Seed(int district)
        {
            regionSeeds.Add(district);
            sizes.Add(0);
            frontiers.Add(new PriorityQueue<int, double>());
            Claim(district, sizes.Count - 1, 0);
            smallest.Enqueue(sizes.Count - 1, (1, sizes.Count - 1));
        }

        for (var k = 0; k < seedCount; k++)
        {
            var seed = members[(int)((k + 0.5) * members.Length / seedCount)];
            if (regionOf[seed] == -1)
            {
                Seed(seed);
            }
        }

        var scan = 0;
        while (true)
        {
            while (smallest.TryDequeue(out var region, out _))
            {
                var frontier = frontiers[region];
                while (frontier.TryDequeue(out var district, out var distance))
                {
                    if (regionOf[district] != -1)
                    {
                        continue;
                    }

                    Claim(district, region, distance);
                    if (sizes[region] < capacity)
                    {
                        smallest.Enqueue(region, (sizes[region], region));
                    }

                    break;
                }
            }

            while (scan < members.Length && regionOf[members[scan]] != -1)
            {
                scan++;
            }

            if (scan == members.Length)
            {
                seeds = regionSeeds;
                return sizes.Count;
            }

            // Enclosed by full regions: start a new region here.
            Seed(members[scan]);
        }
    }
}
