using System.Collections.Concurrent;
using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Hashing;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Features;
using TileServer.Core.Index;
using TileServer.Core.Ingest;
using TileServer.Core.Model;
using TileServer.Core.Ranking;
using TileServer.Core.Search;
using TileServer.Core.Storage;
using TileServer.Core.Styles;
using TileServer.Core.Targeting;
using TileServer.Core.Tiles;
using TileServer.Core.Versioning;

namespace TileServer.Core.Snapshots;

/// <summary>What a snapshot file says about itself, read without its sections (<see cref="SnapshotFile.ReadHeader"/>).</summary>
/// <param name="ProgramVersion">The informational version (with the git commit) of the program that wrote it.</param>
/// <param name="DatasetVersion">The <see cref="DatasetSnapshot.Version"/> of the dataset it holds.</param>
/// <param name="OptionDigests">A digest of each configuration section the version covers, as exported, by section name.</param>
public sealed record SnapshotHeader(string Format, int FormatVersion, string ProgramVersion, string DatasetVersion, string? TilesVersion,
    IReadOnlyDictionary<string, string> OptionDigests);

/// <summary>
/// A built <see cref="DatasetSnapshot"/> in one file ("build once, serve many"): <see cref="Write"/> stores what a load
/// computed for one dataset version, <see cref="Read"/> gives the same snapshot back without reading the sources or
/// running the load's algorithms (cleaning, dissolving, label points, the lookup index, the tiles), so that replicas
/// start from the file one build job made.
/// </summary>
/// <remarks>
/// <para>Layout (every integer little-endian):</para>
/// <list type="number">
/// <item>8 bytes of magic, <c>TSSNAP\r\n</c> (the line ending catches a transfer that rewrote it as text), then the
/// header's byte length (int32), the header, and the XxHash3 of the header (uint64).</item>
/// <item>The header: the format's name and version, the program's informational version (with the git commit), the
/// dataset version, the tiles' version when they came from an archive, a digest of each configuration section the
/// version covers (<see cref="DatasetVersion"/> of that section alone), and the section table: each section's name,
/// offset, length and XxHash3.</item>
/// <item>Sections: <c>metadata</c> (JSON: the load report of <c>GET /v1/dataset</c> and the tileset's TileJSON info);
/// <c>layers</c> (the three levels: columns, then per unit its code, names, values, attributes, area, and its served
/// and source geometries as flat coordinate arrays, <see cref="SnapshotGeometry"/>; a dissolved unit's source geometry
/// is its served one, stored once); <c>labels</c> (each level's label points, flat doubles); <c>locator</c> (the
/// <see cref="DistrictLocator"/>'s flat arrays as they are in memory); <c>aggregator</c> (the positions of the
/// districts the aggregator's build repaired, so that its validity check is not run again); <c>features</c> (each OGC
/// collection's property ranks, and its prepared JSON per feature, properties, geometry and head, as lengths and one
/// run of bytes, served as slices of the section); <c>search</c> (the <see cref="UnitSearchIndex"/>'s folded names and arrays);
/// <c>tiles</c> (a complete PMTiles v3 archive, <see cref="PmTilesWriter"/>, served in place by positional reads
/// through <see cref="FileRangeReader"/> with an offset, as a <c>Tiles:Source</c> archive is).</item>
/// </list>
/// <para>What <see cref="Read"/> derives again instead of storing, because it takes milliseconds and has no
/// representation of its own worth versioning: the parent index and column roles (from the codes and the options),
/// the aggregator's projected geometry and R-tree (a projection of the served geometry, without the validity check),
/// the features' columns and R-tree, and the targeting, class and rank indexes. The sections are read side by
/// side (layers; the locator, labels and tiles; the stored derivations), and each step's time goes to the report
/// (<c>snapshot*</c> in <c>timingsMs</c>). Two parts are not built in memory at start: a district's source geometry
/// (checked at start, decoded on first use, see <see cref="AdminUnit"/>) and the tiles (read in place). The locator
/// section is read straight into the index's arrays and checksummed as it is read; every other section is read whole
/// and checksummed before it is parsed. The coverage topology is not stored: nothing serves from it once the
/// lookup index, dissolved levels and tiles exist, so <see cref="DatasetSnapshot.Topology"/> is null in a snapshot
/// read from a file.</para>
/// <para>Refusals (each a <see cref="DataFileException"/> naming the file and what is wrong, in one line): not a
/// snapshot (magic), another format version, another program version (a file is only read by the build that wrote
/// it, so the arrays' meaning never drifts from the code reading them), a header or section whose checksum does not
/// match, a file shorter than its section table says (truncated), configuration sections whose options differ from
/// those it was exported with (its version and ETags would then name answers it does not give), and big-endian
/// hosts (arrays are stored as little-endian memory).</para>
/// <para>Thread safety: stateless; reads and writes share nothing.</para>
/// </remarks>
public static class SnapshotFile
{
    /// <summary>The format's name, in every header.</summary>
    public const string FormatName = "TileServer dataset snapshot";

    /// <summary>The layout version this build writes and reads.</summary>
    public const int FormatVersion = 2;

    internal const string MetadataSection = "metadata";
    internal const string LayersSection = "layers";
    internal const string LabelsSection = "labels";
    internal const string LocatorSection = "locator";
    internal const string TilesSection = "tiles";
    internal const string AggregatorSection = "aggregator";
    internal const string FeaturesSection = "features";
    internal const string SearchSection = "search";

    private const int HashBytes = 8;
    private const int MaxHeaderBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => "TSSNAP\r\n"u8;

    /// <summary>The informational version of this build (the assembly's, which carries the git commit it was built from).</summary>
    public static string ProgramVersion { get; } =
        typeof(SnapshotFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> (through a temporary file moved into place).</summary>
    /// <param name="sections">
    /// The configuration sections the snapshot's version covers, by name (<c>Dataset</c>, <c>Tiles</c> and the host's
    /// answer options): <see cref="Read"/> refuses to serve the file under different ones.
    /// </param>
    /// <returns>The file's length in bytes.</returns>
    /// <exception cref="NotSupportedException">A layer attribute has a type the format does not store (the message names it).</exception>
    public static long Write(DatasetSnapshot snapshot, string path, IReadOnlyDictionary<string, object> sections) =>
        WriteAs(snapshot, path, sections, ProgramVersion);

    internal static long WriteAs(DatasetSnapshot snapshot, string path, IReadOnlyDictionary<string, object> sections, string programVersion)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sections);
        RequireLittleEndian(path);
        var parts = new List<(string Name, SnapshotSectionWriter Bytes)>
        {
            (MetadataSection, WriteMetadata(snapshot)),
            (LayersSection, WriteLayers(snapshot)),
            (LabelsSection, WriteLabels(snapshot.LabelPoints)),
            (LocatorSection, WriteLocator(snapshot.Locator.ToArrays())),
            (AggregatorSection, Written(writer => writer.WriteArray<int>([.. snapshot.Aggregator.RepairedPositions]))),
            (FeaturesSection, WriteFeatures(snapshot.Features)),
            (SearchSection, WriteSearch(snapshot.Search)),
        };
        if (snapshot.Tiles is { } tiles)
        {
            parts.Add((TilesSection, Written(writer => PmTilesWriter.Write(tiles, writer.Stream))));
        }

        var header = Header(snapshot, sections, programVersion, parts.Select(p => (p.Name, p.Bytes.ToArray())).ToList(), out var bodies);
        var target = Path.GetFullPath(path);
        var temporary = target + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(header);
                foreach (var body in bodies)
                {
                    file.Write(body);
                }
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return new FileInfo(target).Length;
    }

    /// <summary>The header of the snapshot file at <paramref name="path"/>, checked (magic, format, checksum); the program version is not checked.</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable, or not a readable snapshot; the message says why.</exception>
    public static SnapshotHeader ReadHeader(string path)
    {
        using var file = Open(path);
        return ReadHeaderAndTable(file, Path.GetFullPath(path)).Header;
    }

    /// <summary>
    /// The snapshot stored in the file at <paramref name="path"/>, with the parts it does not store derived again
    /// (see the remarks of <see cref="SnapshotFile"/>); its tiles are read from the file on demand.
    /// </summary>
    /// <param name="options">The dataset options now (column roles and descriptions come from them).</param>
    /// <param name="tiles">The tiles options now (the tile cache's bound).</param>
    /// <param name="sections">The configuration sections the version covers, as now: they must be those the file was exported with.</param>
    /// <exception cref="DataFileException">The file is missing, unreadable, damaged, truncated, from another program
    /// or format version, or exported with other options; the message names the file and says which.</exception>
    public static DatasetSnapshot Read(string path, DatasetOptions options, TilesOptions tiles, IReadOnlyDictionary<string, object> sections)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentNullException.ThrowIfNull(sections);
        var clock = Stopwatch.StartNew();
        var file = Path.GetFullPath(path);
        RequireLittleEndian(file);
        using var handle = Open(file);
        var (header, table) = ReadHeaderAndTable(handle, file);
        if (header.ProgramVersion != ProgramVersion)
        {
            throw new DataFileException(file, $"was written by TileServer {header.ProgramVersion}; this is TileServer {ProgramVersion}: run export-snapshot again with this version");
        }

        var changed = ChangedSections(header.OptionDigests, sections);
        if (changed.Count > 0)
        {
            throw new DataFileException(file, $"was exported with other {string.Join(", ", changed)} options than configured here (its version would not name these answers): export it again with this configuration, or configure as it was exported");
        }

        var length = RandomAccess.GetLength(handle);
        var end = table.Values.Select(s => s.Offset + s.Length).DefaultIfEmpty(0).Max();
        if (end > length)
        {
            throw new DataFileException(file, $"is truncated: it is {length} bytes but its sections end at byte {end}");
        }

        try
        {
            return Assemble(file, handle, header, table, options, tiles, clock);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(file, e.Message, e);
        }
        catch (JsonException e)
        {
            throw new DataFileException(file, $"section '{MetadataSection}' is damaged: {e.Message}", e);
        }
    }

    private static DatasetSnapshot Assemble(string file, SafeFileHandle handle, SnapshotHeader header,
        IReadOnlyDictionary<string, SectionEntry> table, DatasetOptions options, TilesOptions tilesOptions, Stopwatch clock)
    {
        // Each step's own time goes to the report (steps overlap, as a load's do).
        var steps = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        T Timed<T>(string name, Func<T> step)
        {
            var watch = Stopwatch.StartNew();
            var result = step();
            steps[name] = watch.ElapsedMilliseconds;
            return result;
        }

        // The layers (most of the work: decoding the geometry) on this thread; the other sections beside them. All of
        // it on the caller's scheduler (LoadParallelism), as a load: a reload reads the file on its low-priority threads.
        var others = Task.Factory.StartNew(() => Timed("snapshotIndexesAndTiles", () =>
        {
            var metadata = JsonSerializer.Deserialize(Section(handle, table, MetadataSection), SnapshotJsonContext.Default.SnapshotMetadata)
                ?? throw new InvalidDataException($"section '{MetadataSection}' is empty");
            // The lookup index is most of the file (28 MB of Peru's 70): read straight into its own arrays, not
            // through a copy of the whole section.
            var locatorEntry = table[LocatorSection];
            var locator = ReadLocator(new SnapshotFileSectionReader(handle, LocatorSection, locatorEntry.Offset, locatorEntry.Length), locatorEntry.Hash);
            var labelBytes = Section(handle, table, LabelsSection);
            ITileSource? tiles = null;
            if (table.TryGetValue(TilesSection, out var tileSection))
            {
                // Timed on its own: the one section checked without being read into memory (what a cheaper check would save).
                Timed("snapshotTilesChecksum", () => VerifyTiles(handle, tileSection));
                var info = metadata.TilesInfo ?? throw new InvalidDataException($"section '{MetadataSection}' has no tileset info for the tiles");
                var archive = PmTilesSource.OpenAsync(FileRangeReader.Open(file, tileSection.Offset, tileSection.Length), null, tilesOptions.CacheBytes, CancellationToken.None)
                    .GetAwaiter().GetResult();
                tiles = new SnapshotTiles(info, archive);
            }

            return (metadata, locator, labelBytes, tiles);
        }), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Current);
        var stored = Task.Factory.StartNew(() => Timed("snapshotStoredDerivations", () =>
            (Features: ReadFeatures(new SnapshotSectionReader(FeaturesSection, Section(handle, table, FeaturesSection))),
             Repaired: ReadRepaired(new SnapshotSectionReader(AggregatorSection, Section(handle, table, AggregatorSection))),
             Search: new SnapshotSectionReader(SearchSection, Section(handle, table, SearchSection)))),
            CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Current);
        var layers = Timed("snapshotLayers", () => ReadLayers(new SnapshotSectionReader(LayersSection, Section(handle, table, LayersSection))));
        var (metadata, locator, labelBytes, tiles) = others.GetAwaiter().GetResult();
        var (storedJson, repairedPositions, searchReader) = stored.GetAwaiter().GetResult();
        var (departments, provinces, districts) = (layers[0], layers[1], layers[2]);
        var labels = ReadLabels(new SnapshotSectionReader(LabelsSection, labelBytes), layers);
        if (locator.DistrictCount != districts.Units.Count)
        {
            throw new InvalidDataException($"section '{LocatorSection}' indexes {locator.DistrictCount} districts but the layer has {districts.Units.Count}");
        }

        var search = ReadSearch(searchReader, layers);
        if (repairedPositions.Any(i => i < 0 || i >= districts.Units.Count))
        {
            throw new InvalidDataException($"section '{AggregatorSection}' names a district outside the {districts.Units.Count} of the layer");
        }

        // The build's own timings stay (how the dataset was made); this read's steps follow them.
        var timings = new Dictionary<string, long>(metadata.Report.TimingsMs, StringComparer.Ordinal)
        {
            ["readSnapshot"] = clock.ElapsedMilliseconds,
        };
        clock.Restart();
        var parents = ParentIndex.FromDistrictCodes(options.ToAdminCodes(), [.. districts.Units.Select(u => u.Code)]);
        var roles = options.ResolveColumnRoles(districts.Columns);
        AdminLayer[] levels = [departments, provinces, districts];

        // Independent derivations, side by side (each reads the layers only).
        DistrictAggregator? aggregator = null;
        FeatureCatalog? features = null;
        (TargetingIndex Targeting, ChoroplethClasses Classes, UnitRanks Ranks)? indexes = null;
        Parallel.Invoke(
            LoadParallelism.Options,
            () => aggregator = Timed("snapshotAggregator", () => DatasetLoader.BuildAggregator(districts, roles, repairedPositions.ToHashSet())),
            () => features = Timed("snapshotFeatures", () => FeatureCatalog.Build(departments, provinces, districts, roles, options.ColumnDescriptions, header.DatasetVersion, storedJson)),
            () => indexes = (Timed("snapshotTargeting", () => TargetingIndex.Build(departments, provinces, districts, parents, roles, labels)),
                Timed("snapshotClasses", () => ChoroplethClasses.Build(levels)), Timed("snapshotRanks", () => UnitRanks.Build(levels, parents))));
        foreach (var (name, ms) in steps)
        {
            timings[name] = ms;
        }

        timings["deriveFromSnapshot"] = clock.ElapsedMilliseconds;
        var (targeting, classes, ranks) = indexes!.Value;
        return new DatasetSnapshot
        {
            Version = header.DatasetVersion,
            LoadedAt = DateTimeOffset.UtcNow,
            Departments = departments,
            Provinces = provinces,
            Districts = districts,
            Parents = parents,
            ColumnRoles = roles,
            Topology = null,
            Aggregator = aggregator!,
            Locator = locator,
            LabelPoints = labels,
            Targeting = targeting,
            Search = search,
            Classes = classes,
            Ranks = ranks,
            Features = features!,
            Tiles = tiles,
            TilesVersion = header.TilesVersion,
            Report = metadata.Report with { TimingsMs = timings },
        };
    }

    private static void RequireLittleEndian(string file)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new DataFileException(file, "snapshot files store little-endian arrays and this host is big-endian");
        }
    }

    private static SafeFileHandle Open(string path)
    {
        var file = Path.GetFullPath(path);
        try
        {
            return File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFileException(file, "no such snapshot file (Dataset:Snapshot)", DataFileFault.NotFound, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(file, $"cannot read the snapshot file: {e.Message}", DataFileFault.Unreadable, e);
        }
    }

    /// <summary>A section's name, where it is in the file and the XxHash3 of its bytes.</summary>
    private readonly record struct SectionEntry(long Offset, long Length, ulong Hash);

    private static byte[] Header(DatasetSnapshot snapshot, IReadOnlyDictionary<string, object> sections, string programVersion,
        List<(string Name, byte[] Bytes)> parts, out List<byte[]> bodies)
    {
        // The section offsets depend on the header's length, which depends on the offsets' values only through their
        // fixed-width encoding: write it once with zero offsets to learn its length, then again with the real ones.
        byte[] Encode(long firstOffset)
        {
            var header = new SnapshotSectionWriter();
            header.WriteString(FormatName);
            header.WriteInt32(FormatVersion);
            header.WriteString(programVersion);
            header.WriteString(snapshot.Version);
            header.WriteString(snapshot.TilesVersion);
            var digests = OptionDigests(sections);
            header.WriteInt32(digests.Count);
            foreach (var (name, digest) in digests)
            {
                header.WriteString(name);
                header.WriteString(digest);
            }

            header.WriteInt32(parts.Count);
            var offset = firstOffset;
            foreach (var (name, bytes) in parts)
            {
                header.WriteString(name);
                header.WriteInt64(offset);
                header.WriteInt64(bytes.Length);
                header.WriteInt64((long)XxHash3.HashToUInt64(bytes));
                offset += bytes.Length;
            }

            return header.ToArray();
        }

        var length = Encode(0).Length;
        var body = Encode(Magic.Length + 4 + length + HashBytes);
        var prefix = new byte[Magic.Length + 4 + body.Length + HashBytes];
        Magic.CopyTo(prefix);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(Magic.Length), body.Length);
        body.CopyTo(prefix.AsSpan(Magic.Length + 4));
        BinaryPrimitives.WriteUInt64LittleEndian(prefix.AsSpan(Magic.Length + 4 + body.Length), XxHash3.HashToUInt64(body));
        bodies = [.. parts.Select(p => p.Bytes)];
        return prefix;
    }

    private static (SnapshotHeader Header, IReadOnlyDictionary<string, SectionEntry> Table) ReadHeaderAndTable(
        SafeFileHandle handle, string file)
    {
        var length = RandomAccess.GetLength(handle);
        Span<byte> start = stackalloc byte[12];
        var read = RandomAccess.Read(handle, start, 0);
        if (read < Magic.Length || !start[..Magic.Length].SequenceEqual(Magic))
        {
            throw new DataFileException(file, $"is not a TileServer snapshot (it does not start with the snapshot magic; it starts with {Convert.ToHexString(start[..Math.Min(read, Magic.Length)])}): write one with export-snapshot");
        }

        if (read < start.Length)
        {
            throw new DataFileException(file, $"is truncated: {length} bytes, shorter than a snapshot header");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(start[Magic.Length..]);
        if (headerLength < 0 || headerLength > MaxHeaderBytes)
        {
            throw new DataFileException(file, $"the snapshot header is damaged: it claims {headerLength} bytes");
        }

        long headerEnd = start.Length + headerLength + HashBytes;
        if (headerEnd > length)
        {
            throw new DataFileException(file, $"is truncated: {length} bytes, shorter than its {headerEnd}-byte header");
        }

        var bytes = new byte[headerLength + HashBytes];
        RandomAccess.Read(handle, bytes, start.Length);
        var body = bytes[..headerLength];
        if (XxHash3.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(headerLength)))
        {
            throw new DataFileException(file, "the snapshot header is damaged (its checksum does not match)");
        }

        try
        {
            var reader = new SnapshotSectionReader("header", body);
            var format = reader.ReadRequiredString();
            var formatVersion = reader.ReadInt32();
            if (format != FormatName || formatVersion != FormatVersion)
            {
                throw new DataFileException(file, $"is in format '{format}' version {formatVersion}; this program reads '{FormatName}' version {FormatVersion}: run export-snapshot again with this version");
            }

            var programVersion = reader.ReadRequiredString();
            var datasetVersion = reader.ReadRequiredString();
            var tilesVersion = reader.ReadString();
            var digests = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = reader.ReadCount(8); i > 0; i--)
            {
                digests[reader.ReadRequiredString()] = reader.ReadRequiredString();
            }

            var table = new Dictionary<string, SectionEntry>(StringComparer.Ordinal);
            for (var i = reader.ReadCount(28); i > 0; i--)
            {
                var name = reader.ReadRequiredString();
                var entry = new SectionEntry(reader.ReadInt64(), reader.ReadInt64(), (ulong)reader.ReadInt64());
                if (entry.Offset < headerEnd || entry.Length < 0 || entry.Offset > long.MaxValue - entry.Length)
                {
                    throw new InvalidDataException($"section '{name}' lies at impossible offset {entry.Offset} ({entry.Length} bytes)");
                }

                table[name] = entry;
            }

            foreach (var required in (string[])[MetadataSection, LayersSection, LabelsSection, LocatorSection, AggregatorSection, FeaturesSection, SearchSection])
            {
                if (!table.ContainsKey(required))
                {
                    throw new InvalidDataException($"it has no '{required}' section");
                }
            }

            return (new SnapshotHeader(format, formatVersion, programVersion, datasetVersion, tilesVersion, digests), table);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(file, $"the snapshot header is damaged: {e.Message}", e);
        }
    }

    private static byte[] Section(SafeFileHandle handle, IReadOnlyDictionary<string, SectionEntry> table, string name)
    {
        var entry = table[name];
        if (entry.Length > Array.MaxLength)
        {
            throw new InvalidDataException($"section '{name}' claims {entry.Length} bytes, more than one array holds");
        }

        var bytes = new byte[entry.Length];
        var read = RandomAccess.Read(handle, bytes, entry.Offset);
        if (read != bytes.Length)
        {
            throw new InvalidDataException($"section '{name}' ends early: {read} of its {entry.Length} bytes");
        }

        return XxHash3.HashToUInt64(bytes) == entry.Hash
            ? bytes
            : throw new InvalidDataException($"section '{name}' is corrupt (its checksum does not match)");
    }

    /// <summary>Where a section lies in the snapshot file at <paramref name="path"/> (for tests that damage one).</summary>
    internal static (long Offset, long Length) SectionRange(string path, string name)
    {
        using var handle = Open(path);
        var entry = ReadHeaderAndTable(handle, Path.GetFullPath(path)).Table[name];
        return (entry.Offset, entry.Length);
    }

    /// <summary>Checks the tile section's checksum by streaming it (the archive is then read in place, tile by tile).</summary>
    /// <returns>The section's length (a value, so that the step can be timed as the others are).</returns>
    private static long VerifyTiles(SafeFileHandle handle, SectionEntry entry)
    {
        var hash = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long done = 0; done < entry.Length;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, entry.Length - done)), entry.Offset + done);
                if (read <= 0)
                {
                    throw new InvalidDataException($"section '{TilesSection}' ends early");
                }

                hash.Append(buffer.AsSpan(0, read));
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetCurrentHashAsUInt64() == entry.Hash
            ? entry.Length
            : throw new InvalidDataException($"section '{TilesSection}' is corrupt (its checksum does not match)");
    }

    private static SortedDictionary<string, string> OptionDigests(IReadOnlyDictionary<string, object> sections)
    {
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, section) in sections)
        {
            digests[name] = DatasetVersion.Compute([], [KeyValuePair.Create(name, section)]);
        }

        return digests;
    }

    private static List<string> ChangedSections(IReadOnlyDictionary<string, string> exported, IReadOnlyDictionary<string, object> sections)
    {
        var now = OptionDigests(sections);
        return [.. exported.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
            .Where(name => !exported.TryGetValue(name, out var before) || !now.TryGetValue(name, out var after) || before != after)];
    }

    private static SnapshotSectionWriter Written(Action<SnapshotSectionWriter> write)
    {
        var writer = new SnapshotSectionWriter();
        write(writer);
        return writer;
    }

    private static SnapshotSectionWriter WriteMetadata(DatasetSnapshot snapshot)
    {
        var writer = new SnapshotSectionWriter();
        JsonSerializer.Serialize(writer.Stream, new SnapshotMetadata(snapshot.Report, snapshot.Tiles?.Info), SnapshotJsonContext.Default.SnapshotMetadata);
        return writer;
    }

    private static SnapshotSectionWriter WriteLocator(LocatorArrays arrays)
    {
        var writer = new SnapshotSectionWriter();
        foreach (var value in (ReadOnlySpan<double>)[arrays.GridMinX, arrays.GridMinY, arrays.GridMaxX, arrays.GridMaxY, arrays.CellWidth, arrays.CellHeight])
        {
            writer.WriteDouble(value);
        }

        writer.WriteInt32(arrays.Columns);
        writer.WriteInt32(arrays.Rows);
        writer.WriteInt32(arrays.EdgeCount);
        writer.WriteArray<double>(arrays.FixedScaleX);
        writer.WriteArray<double>(arrays.FixedScaleY);
        writer.WriteArray<int>(arrays.Nodes);
        writer.WriteArray<short>(arrays.Leaves);
        writer.WriteArray<int>(arrays.LeafEdgeIds);
        writer.WriteArray<double>(arrays.Edges);
        writer.WriteArray<int>(arrays.SegmentStart);
        writer.WriteArray<double>(arrays.SegmentAx);
        writer.WriteArray<double>(arrays.SegmentAy);
        writer.WriteArray<double>(arrays.SegmentBx);
        writer.WriteArray<double>(arrays.SegmentBy);
        return writer;
    }

    private static DistrictLocator ReadLocator(SnapshotFileSectionReader reader, ulong hash)
    {
        var arrays = new LocatorArrays(
            reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(),
            reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(),
            reader.ReadArray<double>(), reader.ReadArray<double>(), reader.ReadArray<int>(), reader.ReadArray<short>(), reader.ReadArray<int>(), reader.ReadArray<double>(),
            reader.ReadArray<int>(), reader.ReadArray<double>(), reader.ReadArray<double>(), reader.ReadArray<double>(), reader.ReadArray<double>());
        // The arrays' contents are trusted only once the whole section's checksum matches.
        reader.Verify(hash, "bytes after the lookup index");
        try
        {
            return DistrictLocator.FromArrays(arrays);
        }
        catch (InvalidDataException e) when (e.Message.StartsWith("the lookup", StringComparison.Ordinal))
        {
            throw reader.Damaged(e.Message);
        }
    }

    private static SnapshotSectionWriter WriteFeatures(FeatureCatalog features)
    {
        var writer = new SnapshotSectionWriter();
        writer.WriteInt32(features.Collections.Count);
        foreach (var collection in features.Collections)
        {
            var json = collection.Prepared;
            writer.WriteInt32(collection.Count);
            writer.WriteInt32(json.Ranks.Length);
            foreach (var ranks in json.Ranks)
            {
                writer.WriteArray<int>(ranks);
            }

            foreach (var parts in (ReadOnlyMemory<byte>[][])[json.Properties, json.Geometry, json.Head])
            {
                writer.WriteArray<int>([.. parts.Select(p => p.Length)]);
                writer.WriteInt32(parts.Sum(p => p.Length));
                foreach (var part in parts)
                {
                    writer.Stream.Write(part.Span);
                }
            }
        }

        return writer;
    }

    /// <summary>The positions of the districts the aggregator's build repaired (<see cref="DistrictAggregator.RepairedPositions"/>).</summary>
    private static int[] ReadRepaired(SnapshotSectionReader reader)
    {
        var positions = reader.ReadArray<int>();
        return reader.AtEnd ? positions : throw reader.Damaged("bytes after the repaired districts");
    }

    /// <summary>Each collection's prepared JSON (slices of the section's bytes) and property ranks, coarsest first.</summary>
    private static PreparedFeatures[] ReadFeatures(SnapshotSectionReader reader)
    {
        var count = reader.ReadCount();
        if (count != 3)
        {
            throw reader.Damaged($"{count} feature collections instead of 3");
        }

        var collections = new PreparedFeatures[count];
        for (var c = 0; c < count; c++)
        {
            var features = reader.ReadCount();
            var ranks = new int[reader.ReadCount(4)][];
            for (var p = 0; p < ranks.Length; p++)
            {
                ranks[p] = reader.ReadArray<int>();
            }

            var parts = new ReadOnlyMemory<byte>[3][];
            for (var k = 0; k < parts.Length; k++)
            {
                var lengths = reader.ReadArray<int>();
                var blob = reader.ReadBlob();
                if (lengths.Length != features || lengths.Any(l => l < 0) || lengths.Sum(l => (long)l) != blob.Length)
                {
                    throw reader.Damaged($"{lengths.Length} JSON lengths for {features} features over {blob.Length} bytes");
                }

                parts[k] = new ReadOnlyMemory<byte>[features];
                for (int f = 0, at = 0; f < features; at += lengths[f], f++)
                {
                    parts[k][f] = blob.Slice(at, lengths[f]);
                }
            }

            collections[c] = new PreparedFeatures(parts[0], parts[1], parts[2], ranks);
        }

        return reader.AtEnd ? collections : throw reader.Damaged("bytes after the last collection");
    }

    private static SnapshotSectionWriter WriteSearch(UnitSearchIndex search)
    {
        var writer = new SnapshotSectionWriter();
        var (names, starts, ends, levels, units) = search.ToArrays();
        writer.WriteArray<char>(names);
        writer.WriteArray<int>(starts);
        writer.WriteArray<int>(ends);
        writer.WriteArray<AdminLevel>(levels);
        writer.WriteArray<int>(units);
        return writer;
    }

    private static UnitSearchIndex ReadSearch(SnapshotSectionReader reader, AdminLayer[] layers)
    {
        var (names, starts, ends, levels, units) = (reader.ReadArray<char>(), reader.ReadArray<int>(), reader.ReadArray<int>(), reader.ReadArray<AdminLevel>(), reader.ReadArray<int>());
        if (!reader.AtEnd)
        {
            throw reader.Damaged("bytes after the search index");
        }

        try
        {
            return UnitSearchIndex.FromArrays(names, starts, ends, levels, units, [.. layers.Select(l => l.Units.Count)]);
        }
        catch (InvalidDataException e)
        {
            throw reader.Damaged(e.Message);
        }
    }

    private static SnapshotSectionWriter WriteLabels(LabelPoints labels)
    {
        var writer = new SnapshotSectionWriter();
        foreach (var level in (AdminLevel[])[AdminLevel.Department, AdminLevel.Province, AdminLevel.District])
        {
            writer.WriteArray(labels.Of(level));
        }

        return writer;
    }

    private static LabelPoints ReadLabels(SnapshotSectionReader reader, AdminLayer[] layers)
    {
        var points = new LonLat[layers.Length][];
        for (var l = 0; l < layers.Length; l++)
        {
            points[l] = reader.ReadArray<LonLat>();
            if (points[l].Length != layers[l].Units.Count)
            {
                throw reader.Damaged($"{points[l].Length} label points for {layers[l].Units.Count} {layers[l].Level} units");
            }
        }

        return LabelPoints.FromPoints(points);
    }

    // Value tags of unit values and layer attributes.
    private const byte NullTag = 0;
    private const byte DoubleTag = 1;
    private const byte StringTag = 2;
    private const byte TrueTag = 3;
    private const byte FalseTag = 4;
    private const byte Int32Tag = 5;
    private const byte Int64Tag = 6;
    private const byte DecimalTag = 7;

    private static SnapshotSectionWriter WriteLayers(DatasetSnapshot snapshot)
    {
        var writer = new SnapshotSectionWriter();
        AdminLayer[] layers = [snapshot.Departments, snapshot.Provinces, snapshot.Districts];
        writer.WriteInt32(layers.Length);
        foreach (var layer in layers)
        {
            writer.WriteByte((byte)layer.Level);
            writer.WriteInt32(layer.Columns.Count);
            foreach (var column in layer.Columns)
            {
                writer.WriteString(column.Name);
                writer.WriteByte((byte)column.Kind);
                writer.WriteInt32(column.MissingCount);
            }

            writer.WriteInt32(layer.Units.Count);
            foreach (var unit in layer.Units)
            {
                writer.WriteString(unit.Code);
                writer.WriteString(unit.Name);
                writer.WriteString(unit.ProvinceCode);
                writer.WriteString(unit.DepartmentCode);
                writer.WriteByte(unit.HasEstimates ? (byte)1 : (byte)0);
                writer.WriteDouble(unit.AreaKm2);
                writer.WriteInt32(unit.Values.Count);
                foreach (var value in unit.Values)
                {
                    WriteValue(writer, value, $"{layer.Level} {unit.Code}: a value");
                }

                writer.WriteInt32(unit.Attributes.Count);
                foreach (var (name, value) in unit.Attributes)
                {
                    writer.WriteString(name);
                    WriteValue(writer, value, $"{layer.Level} {unit.Code}: attribute {name}");
                }

                SnapshotGeometry.Write(writer, unit.Geometry);
                var sameSource = ReferenceEquals(unit.SourceGeometry, unit.Geometry);
                writer.WriteByte(sameSource ? (byte)1 : (byte)0);
                if (!sameSource)
                {
                    SnapshotGeometry.Write(writer, unit.SourceGeometry);
                }
            }
        }

        return writer;
    }

    private static void WriteValue(SnapshotSectionWriter writer, object? value, string what)
    {
        switch (value)
        {
            case null:
                writer.WriteByte(NullTag);
                break;
            case double number:
                writer.WriteByte(DoubleTag);
                writer.WriteDouble(number);
                break;
            case string text:
                writer.WriteByte(StringTag);
                writer.WriteString(text);
                break;
            case bool flag:
                writer.WriteByte(flag ? TrueTag : FalseTag);
                break;
            case int integer:
                writer.WriteByte(Int32Tag);
                writer.WriteInt32(integer);
                break;
            case long integer:
                writer.WriteByte(Int64Tag);
                writer.WriteInt64(integer);
                break;
            case decimal number:
                writer.WriteByte(DecimalTag);
                foreach (var bits in decimal.GetBits(number))
                {
                    writer.WriteInt32(bits);
                }

                break;
            default:
                throw new NotSupportedException($"{what} is a {value.GetType().Name}, which snapshot files do not store");
        }
    }

    private static object? ReadValue(SnapshotSectionReader reader) => reader.ReadByte() switch
    {
        NullTag => null,
        DoubleTag => reader.ReadDouble(),
        StringTag => reader.ReadRequiredString(),
        TrueTag => true,
        FalseTag => false,
        Int32Tag => reader.ReadInt32(),
        Int64Tag => reader.ReadInt64(),
        DecimalTag => new decimal([reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()]),
        var tag => throw reader.Damaged($"unknown value tag {tag}"),
    };

    private static AdminLayer[] ReadLayers(SnapshotSectionReader reader)
    {
        var count = reader.ReadCount();
        if (count != 3)
        {
            throw reader.Damaged($"{count} levels instead of 3");
        }

        var layers = new AdminLayer[count];
        var fieldsByLevel = new StoredUnit[count][];
        var columnsByLevel = new EstimateColumn[count][];
        for (var l = 0; l < count; l++)
        {
            var level = (AdminLevel)reader.ReadByte();
            if (level != (AdminLevel)l)
            {
                throw reader.Damaged($"level {level} where the {(AdminLevel)l} level belongs");
            }

            var columns = new EstimateColumn[reader.ReadCount(9)];
            for (var c = 0; c < columns.Length; c++)
            {
                columns[c] = new EstimateColumn(reader.ReadRequiredString(), (ColumnKind)reader.ReadByte(), reader.ReadInt32());
            }

            var units = new StoredUnit[reader.ReadCount(32)];
            for (var u = 0; u < units.Length; u++)
            {
                var code = reader.ReadRequiredString();
                var name = reader.ReadRequiredString();
                var provinceCode = reader.ReadString();
                var departmentCode = reader.ReadString();
                var hasEstimates = reader.ReadByte() != 0;
                var area = reader.ReadDouble();
                var values = new object?[reader.ReadCount()];
                for (var v = 0; v < values.Length; v++)
                {
                    values[v] = ReadValue(reader);
                }

                var attributeCount = reader.ReadCount(5);
                var attributes = new Dictionary<string, object?>(attributeCount, StringComparer.Ordinal);
                for (var a = 0; a < attributeCount; a++)
                {
                    attributes[reader.ReadRequiredString()] = ReadValue(reader);
                }

                var geometry = reader.ReadBlob();
                // Not "flag ? null : blob": null would convert to an empty ReadOnlyMemory through its implicit conversion from arrays.
                var source = reader.ReadByte() != 0 ? default(ReadOnlyMemory<byte>?) : reader.ReadBlob();
                units[u] = new StoredUnit(level, code, name, provinceCode, departmentCode, hasEstimates, area, values, attributes, geometry, source);
            }

            fieldsByLevel[l] = units;
            columnsByLevel[l] = columns;
        }

        if (!reader.AtEnd)
        {
            throw reader.Damaged("bytes after the last level");
        }

        // Decoding the geometry is most of the read: on every core, straight from the section's bytes. A district's
        // source geometry (the published outline, read only by geometry=source answers) is checked now and built on
        // first use: decoding it here doubled the geometry a start builds, and its bytes are a slice of the section.
        var unitsByLevel = fieldsByLevel.Select(units => new AdminUnit[units.Length]).ToArray();
        var work = fieldsByLevel.SelectMany((units, l) => Enumerable.Range(0, units.Length).Select(u => (Level: l, Unit: u))).ToArray();
        Parallel.ForEach(work, LoadParallelism.Options, entry =>
        {
            var unit = fieldsByLevel[entry.Level][entry.Unit];
            var geometry = Geometry(unit.Geometry, unit);
            var deferred = unit.SourceGeometry is { } bytes && CanDefer(bytes, unit);
            unitsByLevel[entry.Level][entry.Unit] = new AdminUnit
            {
                Level = unit.Level,
                Code = unit.Code,
                Name = unit.Name,
                ProvinceCode = unit.ProvinceCode,
                DepartmentCode = unit.DepartmentCode,
                Geometry = geometry,
                SourceGeometry = deferred ? null : unit.SourceGeometry is { } source ? Geometry(source, unit) : geometry,
                SourceDecoder = deferred ? () => Geometry(unit.SourceGeometry!.Value, unit) : null,
                Values = unit.Values,
                HasEstimates = unit.HasEstimates,
                AreaKm2 = unit.AreaKm2,
                Attributes = unit.Attributes,
            };
        });
        for (var l = 0; l < count; l++)
        {
            layers[l] = new AdminLayer((AdminLevel)l, columnsByLevel[l], unitsByLevel[l]);
        }

        return layers;
    }

    /// <summary>A unit's fields as read, its geometry still encoded (<see cref="SnapshotGeometry"/>; null source: the same as the served geometry).</summary>
    private sealed record StoredUnit(AdminLevel Level, string Code, string Name, string? ProvinceCode, string? DepartmentCode, bool HasEstimates,
        double AreaKm2, object?[] Values, Dictionary<string, object?> Attributes, ReadOnlyMemory<byte> Geometry, ReadOnlyMemory<byte>? SourceGeometry);

    private static bool CanDefer(ReadOnlyMemory<byte> bytes, StoredUnit unit)
    {
        try
        {
            return SnapshotGeometry.CanDefer(bytes.Span);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"section '{LayersSection}' is damaged: the source geometry of {unit.Level} {unit.Code} cannot be read ({e.Message})", e);
        }
    }

    private static Geometry Geometry(ReadOnlyMemory<byte> bytes, StoredUnit unit)
    {
        try
        {
            return SnapshotGeometry.Read(bytes.Span);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"section '{LayersSection}' is damaged: the geometry of {unit.Level} {unit.Code} cannot be read ({e.Message})", e);
        }
    }
}

/// <summary>The JSON section of a snapshot file: the load report and the tileset's description.</summary>
internal sealed record SnapshotMetadata(DatasetReport Report, TilesetInfo? TilesInfo);

/// <summary>Source-generated JSON for <see cref="SnapshotMetadata"/>: no reflection, little JIT on the start-up path.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SnapshotMetadata))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;

/// <summary>
/// The tiles of a snapshot file: its embedded PMTiles archive, read in place, described by the tileset info the build
/// made (the archive's header keeps bounds and centre only to 10^-7 degree; the TileJSON must not change).
/// </summary>
/// <remarks>Thread safety: as <see cref="PmTilesSource"/>, any number of concurrent readers.</remarks>
internal sealed class SnapshotTiles(TilesetInfo info, PmTilesSource archive) : ITileSource
{
    public TilesetInfo Info => info;

    public IEnumerable<TileId> TileIds => archive.TileIds;

    public bool TryGetTile(TileId id, out EncodedTile tile) => archive.TryGetTile(id, out tile);

    public ValueTask<EncodedTile?> GetTileAsync(TileId id, CancellationToken cancellationToken) => archive.GetTileAsync(id, cancellationToken);
}
