using System.Buffers.Binary;

namespace TileServer.Core.Ingest;

/// <summary>
/// Cross-checks a shapefile's <c>.shx</c> index (a 100-byte header like the <c>.shp</c>'s, then one big-endian
/// offset and content length per record, in 16-bit words) against the records found in the <c>.shp</c>.
/// </summary>
/// <remarks>
/// The <c>.shp</c> is read sequentially, so the index is not needed to read it; it is checked because a <c>.shx</c>
/// that disagrees means the set was not written together (a part copied from another version of the layer), and
/// other programs (GDAL, QGIS) read records through it. Thread safety: stateless.
/// </remarks>
public static class ShxFile
{
    private const int EntryLength = 8;

    /// <exception cref="DataFileException">The index is not a shapefile index, or disagrees with the <c>.shp</c>.</exception>
    public static void Check(string shxPath, ReadOnlySpan<byte> shx, string shpPath, IReadOnlyList<ShpRecordSpan> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (shx.Length < ShpPolygonFile.HeaderLength)
        {
            throw new DataFileException(shxPath, shx.Length == 0 ? "file is empty" : $"truncated: {shx.Length} bytes, shorter than the 100-byte header");
        }

        if (BinaryPrimitives.ReadInt32BigEndian(shx) != 9994)
        {
            throw new DataFileException(shxPath, "not a shapefile index (wrong file code in the header)");
        }

        var declared = BinaryPrimitives.ReadInt32BigEndian(shx[24..]) * 2L;
        if (declared != shx.Length || (declared - ShpPolygonFile.HeaderLength) % EntryLength != 0)
        {
            throw new DataFileException(shxPath, $"the header declares {declared:N0} bytes but the file has {shx.Length:N0}");
        }

        var count = (int)((declared - ShpPolygonFile.HeaderLength) / EntryLength);
        if (count != records.Count)
        {
            throw new DataFileException(shxPath, $"lists {count:N0} records but {shpPath} has {records.Count:N0}: the .shp, .shx and .dbf must hold one record per feature");
        }

        for (var i = 0; i < count; i++)
        {
            var entry = shx.Slice(ShpPolygonFile.HeaderLength + (i * EntryLength), EntryLength);
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry) * 2L;
            var length = BinaryPrimitives.ReadInt32BigEndian(entry[4..]) * 2L;
            if (offset != records[i].Offset || length != records[i].ContentLength)
            {
                throw new DataFileException(shxPath, $"record {i + 1}: the index says byte {offset:N0} ({length:N0} bytes) but {shpPath} has it at byte {records[i].Offset:N0} ({records[i].ContentLength:N0} bytes)");
            }
        }
    }
}
