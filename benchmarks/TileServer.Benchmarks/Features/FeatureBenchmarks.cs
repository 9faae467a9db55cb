using System.IO.Pipelines;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Converters;
using TileServer.Core.Dataset;
using TileServer.Core.Features;

namespace TileServer.Benchmarks.Features;

/// <summary>
/// The OGC API door's hot paths on Peru, in process (no HTTP): the whole districts layer as GeoJSON, a filtered page
/// (limit=100, a CQL2 filter on an estimate, the query parsed, compiled and evaluated each time), a page of 10 without
/// geometry, and the GeoPackage of all districts. Baseline in the same run: NetTopologySuite.IO.GeoJSON4STJ
/// serializing the same FeatureCollection (the library's own way).
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*FeatureBenchmarks*'
/// Reads the Peru data (<see cref="PeruData"/>: TILESERVER_PERU_DATA, else ../shared/geodata/peru beside the repository).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 7)]
public class FeatureBenchmarks
{
    private static readonly KeyValuePair<string, IReadOnlyList<string>>[] WholeLayer = [new("limit", ["10000"])];
    private static readonly KeyValuePair<string, IReadOnlyList<string>>[] FilteredPage = [new("limit", ["100"]), new("filter", ["pobreza_pct > 40 AND department <> '15'"])];
    private static readonly KeyValuePair<string, IReadOnlyList<string>>[] SmallPage = [new("limit", ["10"]), new("offset", ["500"]), new("skipGeometry", ["true"])];

    private FeatureSet _districts = null!;
    private FeatureCollection _ntsCollection = null!;
    private JsonSerializerOptions _nts = null!;
    private string _gpkg = "";

    [GlobalSetup]
    public void Load()
    {
        var snapshot = DatasetLoader.Load(new DatasetOptions { Districts = PeruData.File("districts.shp"), Estimates = PeruData.File("poverty.csv") });
        _districts = snapshot.Features.Find("districts")!;
        _ntsCollection = [];
        for (var i = 0; i < _districts.Count; i++)
        {
            var attributes = new AttributesTable();
            for (var p = 0; p < _districts.Properties.Count; p++)
            {
                attributes.Add(_districts.Properties[p].Name, _districts.Value(p, i));
            }

            _ntsCollection.Add(new Feature(_districts.Geometry(i), attributes) { BoundingBox = null });
        }

        _nts = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } };
        _gpkg = Path.Combine(Path.GetTempPath(), $"tileserver-bench-{Guid.NewGuid():N}.gpkg");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_gpkg);

    [Benchmark(Baseline = true)]
    public long WholeLayer_GeoJson4Stj()
    {
        using var stream = new CountingStream();
        JsonSerializer.Serialize(stream, _ntsCollection, _nts);
        return stream.Length;
    }

    [Benchmark]
    public long WholeLayer_Streamed() => Write(WholeLayer);

    [Benchmark]
    public long FilteredPage_Limit100() => Write(FilteredPage);

    [Benchmark]
    public long Page_Limit10_NoGeometry() => Write(SmallPage);

    [Benchmark]
    public long GeoPackage_AllDistricts()
    {
        File.Delete(_gpkg);
        var query = FeatureQuery.Parse(_districts, [], new FeatureLimits());
        GeoPackageFeatureWriter.Write(_gpkg, query, query.Matches());
        return new FileInfo(_gpkg).Length;
    }

    private long Write(KeyValuePair<string, IReadOnlyList<string>>[] parameters)
    {
        var query = FeatureQuery.Parse(_districts, parameters, new FeatureLimits());
        var matches = query.Matches();
        var offset = Math.Min(query.Offset, matches.Length);
        var page = new ArraySegment<int>(matches, offset, Math.Min(query.Limit, matches.Length - offset));
        using var stream = new CountingStream();
        var pipe = PipeWriter.Create(stream);
        GeoJsonFeatureWriter.WriteCollectionAsync(pipe, query, page, matches.Length, [], DateTimeOffset.UnixEpoch, CancellationToken.None).GetAwaiter().GetResult();
        pipe.Complete();
        return stream.Length;
    }

    /// <summary>A write-only stream that counts bytes: the benchmarks measure serialization, not memory copies.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
