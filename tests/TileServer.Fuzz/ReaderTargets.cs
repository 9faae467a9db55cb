using System.Text;
using TileServer.Core.Aggregation;
using TileServer.Core.Features.Cql2;
using TileServer.Core.Ingest;
using TileServer.Core.Join;

namespace TileServer.Fuzz;

/// <summary>
/// The fuzz targets and their contract: each reader, given any bytes, either succeeds or throws a
/// <see cref="DataFileException"/> whose message is one line and whose <see cref="DataFileException.FilePath"/> is one
/// of the files it was given; never another exception (AFL++ records any as a crash), never a hang (AFL++'s
/// <c>-t</c>), and never allocates more than <see cref="AllocationBound"/> for the input's size. The request parsers
/// (issue 17) are held to the same contract with their own error: <c>query</c>, an aggregation body read and validated
/// (repair included, under its default limits), <see cref="InvalidQueryException"/>; <c>cql2</c>, a filter in CQL2
/// text, or CQL2 JSON when it starts with <c>{</c>, <see cref="CqlException"/>. Both become 400/422 problems.
/// </summary>
public static class ReaderTargets
{
    public static readonly string[] Names = ["shapefile", "csv", "geojson", "prj", "query", "cql2"];

    private const string Folder = "/fuzz";

    /// <summary>
    /// Bytes a target may allocate for an input of <paramref name="inputLength"/> bytes: 64 MiB plus 4 KiB per input
    /// byte. Reading the embedded sample's shapefile allocates about 300 bytes per input byte (GeometryFixer and the
    /// validity checks included), so a reader that trusts a count, or repairs a polygon quadratically, crosses it
    /// long before it runs out of memory.
    /// </summary>
    public static long AllocationBound(int inputLength) => (64L << 20) + (4096L * inputLength);

    /// <summary>Null stays null: <c>b is null ? null : memory</c> would turn it into an empty, present file.</summary>
    private static ReadOnlyMemory<byte>? Optional(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        return bytes;
    }

    /// <summary>An error's message is one line: it goes into a log line or a problem's <c>detail</c>.</summary>
    private static void OneLine(string message, Exception e)
    {
        if (message.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ContractViolationException($"a message of several lines: {message}", e);
        }
    }

    /// <exception cref="ContractViolationException">The reader broke the contract.</exception>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        var limits = new LoadLimits { MaxFileBytes = 1 << 24, MaxVerticesPerUnit = 100_000 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        string[] files = [];
        try
        {
            switch (target)
            {
                case "shapefile":
                    {
                        var (shp, shx, dbf, prj, cpg) = ShapefileContainer.Unpack(input);
                        var set = new ShapefileSet(
                            $"{Folder}/layer.shp", shp, $"{Folder}/layer.shx", shx, $"{Folder}/layer.dbf", dbf,
                            $"{Folder}/layer.prj", Optional(prj), $"{Folder}/layer.cpg", Optional(cpg));
                        files = [set.ShpPath, set.ShxPath, set.DbfPath, set.PrjPath, set.CpgPath];
                        PolygonLayerReader.ReadShapefile(set, new LayerReadOptions { Limits = limits });
                        break;
                    }

                case "csv":
                    files = [$"{Folder}/estimates.csv"];
                    EstimatesCsvReader.Read(files[0], input, new EstimatesReadOptions { NumericColumns = ["poblacion"] });
                    break;
                case "geojson":
                    files = [$"{Folder}/layer.geojson"];
                    PolygonLayerReader.ReadGeoJson(files[0], input.ToArray(), new LayerReadOptions { Limits = limits });
                    break;
                case "prj":
                    files = [$"{Folder}/layer.prj"];
                    SourceCrs.Parse(System.Text.Encoding.UTF8.GetString(input), files[0]);
                    break;
                case "query":
                    foreach (var feature in GeoJsonQueryReader.Read(input, new GeoJsonReadLimits()).Features)
                    {
                        QueryValidator.ValidatePolygonal(feature.Geometry, new AggregationLimits());
                    }

                    break;
                case "cql2":
                    {
                        var text = Encoding.UTF8.GetString(input);
                        _ = text.StartsWith('{') ? Cql2JsonParser.Parse(text) : Cql2TextParser.Parse(text);
                        break;
                    }

                default:
                    throw new ArgumentOutOfRangeException(nameof(target), target, $"targets: {string.Join(", ", Names)}");
            }
        }
        catch (InvalidQueryException e) when (target == "query")
        {
            OneLine(e.Message, e);
        }
        catch (CqlException e) when (target == "cql2")
        {
            OneLine(e.Message, e);
        }
        catch (DataFileException e)
        {
            OneLine(e.Message, e);

            if (!files.Contains(e.FilePath))
            {
                throw new ContractViolationException($"the message names '{e.FilePath}', not one of the files read: {e.Message}", e);
            }

            if (e.Fault != DataFileFault.Invalid)
            {
                throw new ContractViolationException($"bytes in memory reported as {e.Fault}: {e.Message}", e);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationBound(input.Length))
        {
            throw new ContractViolationException($"allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (bound {AllocationBound(input.Length):N0})");
        }
    }
}

/// <summary>A reader broke the fuzzing contract (an AFL++ crash).</summary>
public sealed class ContractViolationException : Exception
{
    public ContractViolationException()
    {
    }

    public ContractViolationException(string message)
        : base(message)
    {
    }

    public ContractViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
