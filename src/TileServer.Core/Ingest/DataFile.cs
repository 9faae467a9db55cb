namespace TileServer.Core.Ingest;

/// <summary>
/// Reads input files whole, within <see cref="LoadLimits.MaxFileBytes"/>, and turns every way of failing into a
/// <see cref="DataFileException"/> of the right <see cref="DataFileFault"/>. The size comes from the opened stream,
/// so a symbolic link is measured by its target, never by the link itself.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class DataFile
{
    /// <summary>The bytes of <paramref name="path"/>; <paramref name="limitName"/> names the limit in the message.</summary>
    /// <exception cref="DataFileException">Missing, unreadable, or larger than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string limitName = "Dataset:MaxFileBytes")
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var length = stream.Length;
            if (length > maxBytes)
            {
                throw new DataFileException(path, $"{length:N0} bytes, over {limitName} ({maxBytes:N0} bytes)");
            }

            if (length > Array.MaxLength)
            {
                throw new DataFileException(path, $"{length:N0} bytes, over the {Array.MaxLength:N0} bytes one input file may have");
            }

            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            stream.ReadExactly(bytes);
            if (stream.ReadByte() >= 0)
            {
                throw new DataFileException(path, "the file grew while it was read; load it again once it is written", DataFileFault.Unreadable);
            }

            return bytes;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFileException(path, "file not found", DataFileFault.NotFound, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new DataFileException(path, $"cannot read ({e.Message})", DataFileFault.Unreadable, e);
        }
    }
}
