using System.Collections.Concurrent;
using System.Diagnostics;
using NetTopologySuite.Geometries;
using TileServer.Core.Admin;
using TileServer.Core.Aggregation;
using TileServer.Core.Coverage;
using TileServer.Core.Features;
using TileServer.Core.Geodesy;
using TileServer.Core.Index;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Ranking;
using TileServer.Core.Search;
using TileServer.Core.Storage;
using TileServer.Core.Styles;
using TileServer.Core.Targeting;
using TileServer.Core.Tiles;
using TileServer.Core.Versioning;

namespace TileServer.Core.Dataset;

/// <summary>
/// Builds a <see cref="DatasetSnapshot"/> from <see cref="DatasetOptions"/>: read the polygon layer
/// (<see cref="PolygonLayerReader"/>), read the estimates (<see cref="EstimatesCsvReader"/>), join them
/// (<see cref="DistrictJoiner"/>), clean the districts into a coverage and keep its topology
/// (<see cref="CoverageCleaner"/>; with cleaning off, <see cref="CoverageTopology.FromCoverage"/> when the published
/// layer already is one), derive provinces and departments (<see cref="AdminLevelBuilder"/>), then build the
/// aggregator, the lookup index (<see cref="DistrictLocator"/>) and the tileset (<see cref="TilesetBuilder"/>), each
/// from the one topology when there is one.
/// </summary>
/// <remarks>
/// The version (<see cref="DatasetVersion"/>) covers every input file's bytes (the layer and its side-car files, the
/// CSV, a <c>Tiles:Source</c> archive) and every option that changes an answer: the dataset and tiles options and
/// whatever other sections the caller passes, less the options marked <see cref="NotInVersionAttribute"/>.
/// <para>Parallelism comes from one place, the <see cref="TaskScheduler"/> handed to
/// <see cref="Load(DatasetOptions, TilesOptions?, IReadOnlyDictionary{string, object}?, CancellationToken, TaskScheduler?)"/>
/// (default: the thread pool, every core): the load runs as a task on it, so every <c>Parallel.For</c> of the steps,
/// the tile pipeline's workers and the steps started side by side run on it as <see cref="TaskScheduler.Current"/>;
/// a host reloading at low priority hands a scheduler with fewer or lower-priority threads. The CSV is read beside
/// the layer. Steps that only read the cleaned coverage and its levels run side by side once the levels are dissolved
/// (label points, aggregator, lookup index, search index, classes and ranks, feature catalogue, then targeting after
/// the label points, and the tiles on the load's own thread, which simplify and clip while the label points are
/// computed and wait for them only to place the labels); each step's time in the report is its own (steps overlap),
/// and <c>total</c> is the wall time of the whole load. The version is taken right after the reads, before the work that
/// takes seconds, and the load fails if an input changed while it was read.</para>
/// <para>Thread safety: stateless; loads share nothing.</para>
/// </remarks>
public static class DatasetLoader
{
    private static readonly string[] ShapefileParts = [".shp", ".shx", ".dbf", ".prj", ".cpg"];

    /// <exception cref="DataFileException">An input file is missing or unusable; the message names it.</exception>
    public static DatasetSnapshot Load(DatasetOptions options) => Load(options, null);

    /// <param name="tiles">The vector tileset to precompute (<see cref="TilesetBuilder"/>); null or disabled: none.</param>
    /// <param name="answerOptions">
    /// Other configuration sections, by section name, whose options change answers computed from the snapshot (the
    /// host's lookup and aggregation options): they enter the version, so that HTTP validators change with them.
    /// </param>
    /// <param name="cancellationToken">Stops the load (checked per record while reading, and between steps).</param>
    /// <param name="scheduler">Where the load and all its parallel work run (see the remarks); null: the thread pool.</param>
    /// <exception cref="DataFileException">
    /// An input file is missing or unusable, or the load took longer than <see cref="DatasetOptions.LoadTimeoutSeconds"/>;
    /// the message names the file (and the record or the step reached).
    /// </exception>
    public static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, IReadOnlyDictionary<string, object>? answerOptions = null,
        CancellationToken cancellationToken = default, TaskScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.LoadTimeoutSeconds));
        var step = new LoadStep { File = options.Districts, Name = "reading" };
        try
        {
            // On the thread pool the load gets a thread of its own (it waits for its side-by-side steps, which a pool
            // thread should not); either way TaskScheduler.Current inside it is the scheduler.
            scheduler ??= TaskScheduler.Default;
            if (scheduler != TaskScheduler.Default && TaskScheduler.Current == scheduler)
            {
                // Already on one of the scheduler's threads (a reload's): a task queued behind would leave this thread
                // blocked and the scheduler one thread short for the whole load.
                return Load(options, tiles, answerOptions, deadline.Token, step);
            }

            return Task.Factory.StartNew(
                () => Load(options, tiles, answerOptions, deadline.Token, step),
                deadline.Token,
                scheduler == TaskScheduler.Default ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
                scheduler).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DataFileException(step.File, $"the load took longer than Dataset:LoadTimeoutSeconds ({options.LoadTimeoutSeconds} s) and stopped while {step.Name}{(e.Message.StartsWith("at ", StringComparison.Ordinal) ? $" ({e.Message})" : string.Empty)}", e);
        }
    }

    /// <summary>What the load is doing, for the timeout's message.</summary>
    private sealed class LoadStep
    {
        public required string File { get; set; }

        public required string Name { get; set; }

        public void Enter(string file, string name, CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            (File, Name) = (file, name);
        }
    }

    private static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, IReadOnlyDictionary<string, object>? answerOptions,
        CancellationToken token, LoadStep step)
    {
        var timings = new Dictionary<string, long>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        long Lap()
        {
            var elapsed = clock.ElapsedMilliseconds;
            clock.Restart();
            return elapsed;
        }

        var limits = options.ToLoadLimits();
        var stamps = InputStamps(options, tiles);
        var steps = new SideBySideSteps(token);
        // The CSV beside the layer: neither needs the other until the join.
        var estimatesTask = steps.Start("readEstimates", () =>
        {
            var read = EstimatesCsvReader.Read(options.Estimates, new EstimatesReadOptions
            {
                KeyColumn = options.EstimatesKey,
                KeyWidth = options.DistrictCodeLength,
                Encoding = options.EstimatesEncoding,
                NumericColumns = options.NumericColumns(),
                MaxFileBytes = limits.MaxFileBytes,
            }, token);
            EstimateTotals.Check(read, options.ResolveColumnRoles(read.Columns));
            return read;
        });
        SourceLayer layer;
        try
        {
            layer = PolygonLayerReader.Read(options.Districts, new LayerReadOptions { DefaultShapefileEncoding = options.DefaultShapefileEncoding, Limits = limits }, token);
        }
        catch
        {
            // The layer's fault is the load's, whatever the CSV's outcome; its read still ends before the load does
            // (Wait, unlike WaitAny, runs a step not yet started on this thread: a scheduler with one thread is ours).
            try
            {
                estimatesTask.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
            }

            throw;
        }

        timings["readLayer"] = Lap();
        step.Enter(options.Estimates, "reading", token);
        var estimates = Result(estimatesTask);
        timings["readEstimates"] = steps.Ms("readEstimates");
        Lap();
        var tilesArchive = TilesArchive(tiles);
        ITileSource? archive = null;
        string? tilesVersion = null;
        if (tilesArchive is not null)
        {
            step.Enter(tilesArchive, "opening the tile archive", token);
            archive = TileArchive.Open(tilesArchive, TileArchiveOptions.From(tiles!));
            tilesVersion = TileArchive.ContentVersion(archive, tilesArchive);
            timings["openTileArchive"] = Lap();
        }

        var version = Version(options, tiles, (archive as PmTilesSource)?.ContentIdentity, answerOptions);
        timings["version"] = Lap();

        // The version hashes the files as they are now: if one changed since the load began reading, the version
        // would name content that was not read (and a reload triggered by that change would find it "unchanged").
        if (InputStamps(options, tiles).Except(stamps).FirstOrDefault() is { Path: { } changed })
        {
            throw new DataFileException(changed, "changed while the load was reading it; the next load reads it again", DataFileFault.Unreadable);
        }

        step.Enter(options.Districts, "joining", token);
        var codes = options.ToAdminCodes();
        var (districts, join) = DistrictJoiner.Join(layer, estimates, options.ToJoinOptions());
        timings["join"] = Lap();
        step.Enter(options.Districts, "cleaning the coverage", token);
        CoverageCleaningReport? cleaning = null;
        CoverageQualityReport sourceCoverage;
        CoverageTopology? topology;
        if (options.CleanCoverage)
        {
            (districts, cleaning, topology) = Clean(districts, options);
            sourceCoverage = cleaning.RawQuality;
            timings["cleanCoverage"] = Lap();
        }
        else
        {
            Geometry[] published = [.. districts.Units.Select(u => u.Geometry)];
            sourceCoverage = CoverageQuality.Measure(published);
            timings["measureCoverage"] = Lap();

            // Districts that overlap are no coverage; only a layer without measured overlaps is worth validating.
            topology = sourceCoverage.OverlappingPairs == 0 ? CoverageTopology.FromCoverage(published) : null;
            timings["topology"] = Lap();
        }

        step.Enter(options.Districts, "dissolving provinces and departments", token);
        var parents = ParentIndex.FromDistrictCodes(codes, [.. districts.Units.Select(u => u.Code)]);
        var roles = options.ResolveColumnRoles(districts.Columns);
        var levels = topology is null ? null : AdminTopology.Build(topology, parents);
        var provinces = AdminLevelBuilder.Build(districts, AdminLevel.Province, parents, roles, options.NameFields(AdminLevel.Province), levels);
        var departments = AdminLevelBuilder.Build(districts, AdminLevel.Department, parents, roles, options.NameFields(AdminLevel.Department), levels);
        timings["dissolve"] = Lap();
        step.Enter(options.Districts, "building the indexes, label points and tiles", token);
        var labelsTask = steps.Start("labelPoints", () => LabelPoints.Compute(departments, provinces, districts));
        var featuresTask = steps.Start("features", () => FeatureCatalog.Build(departments, provinces, districts, roles, options.ColumnDescriptions, version));
        var targetingTask = steps.After(labelsTask, "targetingIndex", labels => TargetingIndex.Build(departments, provinces, districts, parents, roles, labels));
        var aggregatorTask = steps.Start("aggregator", () => BuildAggregator(districts, roles));
        var locatorTask = steps.Start("lookupIndex", () => topology is null ? DistrictLocator.Build([.. districts.Units.Select(u => u.Geometry)]) : DistrictLocator.Build(topology));
        AdminLayer[] layers = [departments, provinces, districts];
        var searchTask = steps.Start("searchIndex", () => UnitSearchIndex.Build(layers, roles.PopulationColumn));
        var classesTask = steps.Start("classesAndRanks", () => (Classes: ChoroplethClasses.Build(layers), Ranks: UnitRanks.Build(layers, parents)));

        // The tiles, the longest chain, on this thread: their pipeline's workers join the other steps on the scheduler,
        // and only placing the labels waits for the label points.
        var tileSource = archive;
        TilesetStatistics? tileStatistics = null;
        if (tiles is { Enabled: true } && archive is null)
        {
            Tileset tileset;
            try
            {
                tileset = steps.Time("tiles", () => TilesetBuilder.Build(departments, provinces, districts, parents, labelsTask, levels, version, tiles));
            }
            catch when (labelsTask.IsFaulted || labelsTask.IsCanceled)
            {
                // The tiles failed for want of the label points: the load fails with the label points' own exception.
                Result(labelsTask);
                throw;
            }

            (tileSource, tileStatistics) = (tileset, tileset.Statistics);
        }

        var labels = Result(labelsTask);
        var aggregator = Result(aggregatorTask);
        var locator = Result(locatorTask);
        var targeting = Result(targetingTask);
        var search = Result(searchTask);
        var (classes, ranks) = Result(classesTask);
        var features = Result(featuresTask);
        foreach (var (name, ms) in steps.Timings)
        {
            timings[name] = ms;
        }

        timings["total"] = total.ElapsedMilliseconds;
        step.Enter(options.Districts, "publishing", token);
        return new DatasetSnapshot
        {
            Version = version,
            LoadedAt = DateTimeOffset.UtcNow,
            Departments = departments,
            Provinces = provinces,
            Districts = districts,
            Parents = parents,
            ColumnRoles = roles,
            Topology = levels,
            Aggregator = aggregator,
            Locator = locator,
            LabelPoints = labels,
            Targeting = targeting,
            Search = search,
            Classes = classes,
            Ranks = ranks,
            Features = features,
            Tiles = tileSource,
            TilesVersion = tilesVersion,
            Report = new DatasetReport
            {
                Ingest = new IngestReport
                {
                    File = layer.FilePath,
                    SourceCrs = layer.SourceCrs,
                    Reprojected = layer.Reprojected,
                    Encoding = layer.Encoding,
                    Records = layer.Features.Count,
                    RepairedRecords = layer.RepairedRecords,
                    Warnings = layer.Warnings,
                },
                Join = join,
                SourceCoverage = sourceCoverage,
                Cleaning = cleaning,
                Tiles = tileStatistics,
                TimingsMs = timings,
            },
        };
    }

    /// <summary>The step's result; a failed step's own exception (not an <see cref="AggregateException"/>).</summary>
    private static T Result<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Steps started side by side on the current scheduler, each timed on its own.</summary>
    private sealed class SideBySideSteps(CancellationToken token)
    {
        private readonly ConcurrentQueue<(long Started, string Name, long Ms)> _timings = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        /// <summary>The own time of a step that has finished.</summary>
        public long Ms(string name) => _timings.First(t => t.Name == name).Ms;

        /// <summary>The steps' own times, in the order they started.</summary>
        public IEnumerable<(string Name, long Ms)> Timings => _timings.OrderBy(t => t.Started).Select(t => (t.Name, t.Ms));

        public Task<T> Start<T>(string name, Func<T> step) =>
            Task.Factory.StartNew(() => Time(name, step), token, TaskCreationOptions.None, TaskScheduler.Current);

        /// <summary>A step that needs another's result; it fails with that step's exception when that one fails.</summary>
        public Task<TResult> After<T, TResult>(Task<T> antecedent, string name, Func<T, TResult> step) =>
            antecedent.ContinueWith(done => Time(name, () => step(Result(done))), token, TaskContinuationOptions.None, TaskScheduler.Current);

        public T Time<T>(string name, Func<T> step)
        {
            var started = _clock.ElapsedTicks;
            var watch = Stopwatch.StartNew();
            var result = step();
            _timings.Enqueue((started, name, watch.ElapsedMilliseconds));
            return result;
        }
    }

    /// <summary>The district layer with cleaned geometries (<see cref="CoverageCleaner"/>), source geometries kept, and its topology.</summary>
    private static (AdminLayer Districts, CoverageCleaningReport Report, CoverageTopology Topology) Clean(AdminLayer districts, DatasetOptions options)
    {
        var result = CoverageCleaner.Clean(
            [.. districts.Units.Select(u => u.Geometry)],
            [.. districts.Units.Select(u => u.Code)],
            new CoverageCleaningOptions { GapWidthMetres = options.MaxGapWidthMetres });
        var cleaned = districts.Units.Select((unit, i) => new AdminUnit
        {
            Level = unit.Level,
            Code = unit.Code,
            Name = unit.Name,
            ProvinceCode = unit.ProvinceCode,
            DepartmentCode = unit.DepartmentCode,
            Geometry = result.Districts[i],
            SourceGeometry = unit.SourceGeometry,
            Values = unit.Values,
            HasEstimates = unit.HasEstimates,
            AreaKm2 = EqualAreaProjection.AreaSquareKilometres(result.Districts[i]),
            Attributes = unit.Attributes,
        }).ToArray();
        return (new AdminLayer(AdminLevel.District, districts.Columns, cleaned), result.Report, result.Topology);
    }

    /// <summary>The aggregator over the served district geometry, with the columns in their <paramref name="roles"/>.</summary>
    /// <param name="knownRepaired">The districts a build of this layer repaired, when known (a snapshot file's): the validity check is skipped.</param>
    internal static DistrictAggregator BuildAggregator(AdminLayer districts, ColumnRoles roles, IReadOnlySet<int>? knownRepaired = null)
    {
        var columns = new Dictionary<string, IReadOnlyList<double?>>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < districts.Columns.Count; c++)
        {
            if (districts.Columns[c].Kind == ColumnKind.Number)
            {
                var index = c;
                columns[districts.Columns[c].Name] = [.. districts.Units.Select(u => u.Values[index] as double?)];
            }
        }

        if (roles.PopulationIndex < 0)
        {
            // Without a population column every district is weightless: areas and counts still aggregate, rates do not.
            columns[roles.PopulationColumn] = new double?[districts.Units.Count];
        }

        var configuration = new AggregationConfiguration
        {
            WeightColumn = roles.PopulationColumn,
            ExtensiveColumns = [.. roles.CountColumns.Where(n => !string.Equals(n, roles.PopulationColumn, StringComparison.OrdinalIgnoreCase))],
            IntensiveColumns = [.. roles.RateColumns],
            DerivedCounts = roles.DerivedCounts,
        };
        return DistrictAggregator.BuildKnowingRepairs(
            [.. districts.Units.Select(u => new AggregationDistrict(u.Code, u.Name, u.Geometry))],
            columns,
            configuration,
            knownRepaired);
    }

    /// <summary>
    /// The <see cref="DatasetVersion"/> that <see cref="Load(DatasetOptions, TilesOptions?, IReadOnlyDictionary{string, object}?, CancellationToken, TaskScheduler?)"/>
    /// would give these inputs as they are now (files by role and content, option sections by name), without loading
    /// them: hashing Peru's files takes milliseconds, so a reload can tell that nothing changed before it builds. A
    /// <c>Tiles:Source</c> in object storage or on HTTP is opened (its header read) for the identity of its content.
    /// </summary>
    /// <exception cref="IOException">An input file cannot be read.</exception>
    public static string Version(DatasetOptions options, TilesOptions? tiles, IReadOnlyDictionary<string, object>? answerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var remote = TilesArchive(tiles) is { } source && TileArchive.IsRemote(source)
            ? ((PmTilesSource)TileArchive.Open(source, TileArchiveOptions.From(tiles!))).ContentIdentity
            : null;
        return Version(options, tiles, remote, answerOptions);
    }

    /// <param name="archiveIdentity">
    /// The SHA-256 digest naming the content of an opened PMTiles <c>Tiles:Source</c>, which stands where the file's
    /// hash would: for a local archive the same SHA-256 of its bytes (so that it is not read twice), for one read over
    /// HTTP or S3 a digest of its ETag and length. Null otherwise: a local archive is then hashed as a file.
    /// </param>
    private static string Version(DatasetOptions options, TilesOptions? tiles, string? archiveIdentity, IReadOnlyDictionary<string, object>? answerOptions)
    {
        var files = InputFiles(options, tiles)
            .Where(file => archiveIdentity is null || file.Role != "Tiles:Source")
            .Where(file => File.Exists(file.Path))
            .Select(file => KeyValuePair.Create(file.Role + Path.GetExtension(file.Path).ToLowerInvariant(), file.Path));
        var sections = (answerOptions ?? new Dictionary<string, object>())
            .Append(KeyValuePair.Create<string, object>(DatasetOptions.SectionName, options))
            .Concat(tiles is null ? [] : [KeyValuePair.Create<string, object>(TilesOptions.SectionName, tiles)]);
        IEnumerable<KeyValuePair<string, string>> contents = archiveIdentity is null ? [] : [KeyValuePair.Create("Tiles:Source.pmtiles", archiveIdentity)];
        return DatasetVersion.Compute(files, sections, contents);
    }

    /// <summary>
    /// Every file a load reads, by the configuration key that names it: the layer and each of its side-car files
    /// (which may not exist), the CSV, and a <c>Tiles:Source</c> archive when tiles are served from a local one (not
    /// one in object storage or on HTTP). The version hashes them; a host watches them for changes.
    /// </summary>
    public static IReadOnlyList<(string Role, string Path)> InputFiles(DatasetOptions options, TilesOptions? tiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        var layerParts = Path.GetExtension(options.Districts).Equals(".shp", StringComparison.OrdinalIgnoreCase)
            ? ShapefileParts.Select(ext => Path.ChangeExtension(options.Districts, ext))
            : [options.Districts];
        return
        [
            .. layerParts.Select(path => ("Dataset:Districts", path)),
            ("Dataset:Estimates", options.Estimates),
            .. TilesArchive(tiles) is { } archive && !TileArchive.IsRemote(archive) ? [("Tiles:Source", archive)] : Array.Empty<(string, string)>(),
        ];
    }

    /// <summary>Every input file's length and last write time (a file replaced by a rename has new ones).</summary>
    private static List<(string Path, long Length, DateTime Written)> InputStamps(DatasetOptions options, TilesOptions? tiles) =>
        [.. InputFiles(options, tiles).Select(f => new FileInfo(f.Path)).Select(f => (f.FullName, f.Exists ? f.Length : -1, f.Exists ? f.LastWriteTimeUtc : default))];

    private static string? TilesArchive(TilesOptions? tiles) =>
        tiles is { Enabled: true } && !string.IsNullOrWhiteSpace(tiles.Source) ? tiles.Source : null;
}
