using System.Text;
using TileServer.Core.Model;

namespace TileServer.Core.Ingest;

/// <summary>What kind of failure a <see cref="DataFileException"/> is: hosts map it to an exit code.</summary>
public enum DataFileFault
{
    /// <summary>The file was read but cannot be used: wrong format, inconsistent, over a limit (exit code 1).</summary>
    Invalid,

    /// <summary>The file, or a file it needs beside it, does not exist (exit code 2).</summary>
    NotFound,

    /// <summary>The file exists but cannot be read: permissions, a directory, an I/O error (exit code 2).</summary>
    Unreadable,
}

/// <summary>
/// An input data file (shapefile part, GeoJSON, estimates CSV) that cannot be used as it is. The message names the
/// file and, where known, the record, feature or line, and is always one printable line (control characters such as
/// line breaks inside quoted values are shown escaped, <see cref="MessageText.SingleLine"/>, and the whole is capped at
/// <see cref="MaxMessageLength"/> characters), so that it can be shown to an operator as it is.
/// </summary>
public sealed class DataFileException : Exception
{
    /// <summary>Longest message: a value quoted from a hostile file never floods a terminal or a log.</summary>
    public const int MaxMessageLength = 600;

    public DataFileException(string filePath, string problem, Exception? innerException = null)
        : this(filePath, problem, DataFileFault.Invalid, innerException)
    {
    }

    public DataFileException(string filePath, string problem, DataFileFault fault, Exception? innerException = null)
        : base(SingleLine($"{filePath}: {problem}"), innerException)
    {
        FilePath = filePath;
        Problem = SingleLine(problem);
        Fault = fault;
    }

    public DataFileException()
    {
        FilePath = string.Empty;
        Problem = string.Empty;
    }

    public DataFileException(string message)
        : base(SingleLine(message))
    {
        FilePath = string.Empty;
        Problem = SingleLine(message);
    }

    public DataFileException(string message, Exception innerException)
        : base(SingleLine(message), innerException)
    {
        FilePath = string.Empty;
        Problem = SingleLine(message);
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }

    /// <summary>Missing, unreadable, or read but unusable.</summary>
    public DataFileFault Fault { get; }

    /// <summary>
    /// <paramref name="value"/> as it may be quoted in a message: control characters shown as <c>\n</c>, <c>\t</c>
    /// or <c>\uXXXX</c>, and at most <paramref name="maxLength"/> characters (the rest elided with its length).
    /// </summary>
    public static string Excerpt(string? value, int maxLength = 40)
    {
        if (value is null)
        {
            return "null";
        }

        var text = new StringBuilder(Math.Min(value.Length, maxLength) + 16);
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, maxLength)))
        {
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) || char.IsSurrogate(c) => text.Append($"\\u{(int)c:X4}"),
                _ => text.Append(c),
            };
        }

        if (value.Length > maxLength)
        {
            text.Append($"... ({value.Length:N0} characters)");
        }

        return text.ToString();
    }

    private static string SingleLine(string message) => MessageText.SingleLine(message, MaxMessageLength);
}
