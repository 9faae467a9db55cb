namespace TileServer.Core.Ingest;

/// <summary>
/// An input data file (shapefile part, GeoJSON, estimates CSV) that cannot be used as it is. The message names the
/// file and, where known, the line or record, so that it can be shown to an operator as one line.
/// </summary>
public sealed class DataFileException : Exception
{
    public DataFileException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    public DataFileException()
    {
        FilePath = string.Empty;
        Problem = string.Empty;
    }

    public DataFileException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    public DataFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
