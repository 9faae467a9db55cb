using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TileServer.Core.Storage;
using TileServer.Core.Tests.Storage;
using TileServer.Core.Tiles;

namespace TileServer.Benchmarks.Storage;

/// <summary>
/// Writing and reading MBTiles and PMTiles for a synthetic tileset of 20,000 tiles (200-3,000 bytes of MVT each, one
/// in five a shared "ocean" tile), and looking every tile up once opened. Baselines, per category: for writing, the
/// tiles' gzip bytes concatenated into one flat file (the I/O floor); for reading, that flat file read back and every
/// tile decompressed (what any reader that serves both encodings must do); for lookups, the source's own dictionary.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*TileStorageBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class TileStorageBenchmarks
{
    private const int TileCount = 20_000;

    private SyntheticTileSource _source = null!;
    private TileId[] _ids = [];
    private string _folder = "";
    private MbTilesSource _mbtilesSource = null!;
    private PmTilesSource _pmtilesSource = null!;

    private string Flat => Path.Combine(_folder, "tiles.bin");

    private string MbTiles => Path.Combine(_folder, "tiles.mbtiles");

    private string PmTiles => Path.Combine(_folder, "tiles.pmtiles");

    [GlobalSetup]
    public void Setup()
    {
        _source = SyntheticTileSource.Sized(TileCount);
        _ids = [.. _source.TileIds];
        _folder = Directory.CreateTempSubdirectory("tileserver-storage-bench-").FullName;
        WriteFlatFile();
        MbTilesWriter.Write(_source, MbTiles);
        PmTilesWriter.Write(_source, PmTiles);
        _mbtilesSource = MbTilesSource.Open(MbTiles);
        _pmtilesSource = PmTilesSource.Open(PmTiles);
        // In the run's log, for the README: what the formats cost on disk against the bare gzip bytes.
        Console.WriteLine($"// file sizes: flat {new FileInfo(Flat).Length} B, MBTiles {new FileInfo(MbTiles).Length} B, PMTiles {new FileInfo(PmTiles).Length} B; {_ids.Length} tiles, {_pmtilesSource.Header.TileEntries} PMTiles entries, {_pmtilesSource.Header.TileContents} distinct");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true), BenchmarkCategory("Write")]
    public long WriteFlatFile()
    {
        using var file = new FileStream(Flat, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        foreach (var id in _ids)
        {
            _source.TryGetTile(id, out var tile);
            file.Write(tile.Gzip.Span);
        }

        return file.Length;
    }

    [Benchmark, BenchmarkCategory("Write")]
    public long WriteMbTiles() => MbTilesWriter.Write(_source, Path.Combine(_folder, "written.mbtiles")).FileBytes;

    [Benchmark, BenchmarkCategory("Write")]
    public long WritePmTiles() => PmTilesWriter.Write(_source, Path.Combine(_folder, "written.pmtiles")).FileBytes;

    [Benchmark(Baseline = true), BenchmarkCategory("Open and read all")]
    public long ReadFlatFile()
    {
        var bytes = File.ReadAllBytes(Flat);
        var offset = 0;
        long total = 0;
        foreach (var id in _ids)
        {
            _source.TryGetTile(id, out var tile);
            using var gzip = new GZipStream(new MemoryStream(bytes, offset, tile.Gzip.Length), CompressionMode.Decompress);
            using var mvt = new MemoryStream();
            gzip.CopyTo(mvt);
            total += mvt.Length;
            offset += tile.Gzip.Length;
        }

        return total;
    }

    [Benchmark, BenchmarkCategory("Open and read all")]
    public long ReadMbTiles() => ReadAll(MbTilesSource.Open(MbTiles));

    [Benchmark, BenchmarkCategory("Open and read all")]
    public long ReadPmTiles() => ReadAll(PmTilesSource.Open(PmTiles));

    [Benchmark(Baseline = true), BenchmarkCategory("Look up every tile")]
    public long LookUpSource() => LookUpAll(_source);

    [Benchmark, BenchmarkCategory("Look up every tile")]
    public long LookUpMbTiles() => LookUpAll(_mbtilesSource);

    [Benchmark, BenchmarkCategory("Look up every tile")]
    public long LookUpPmTiles() => LookUpAll(_pmtilesSource);

    private static long ReadAll(ITileSource tiles)
    {
        long total = 0;
        foreach (var id in tiles.TileIds)
        {
            tiles.TryGetTile(id, out var tile);
            total += tile.Mvt.Length + tile.Gzip.Length;
        }

        return total;
    }

    private long LookUpAll(ITileSource tiles)
    {
        long total = 0;
        foreach (var id in _ids)
        {
            tiles.TryGetTile(id, out var tile);
            total += tile.Gzip.Length;
        }

        return total;
    }
}
