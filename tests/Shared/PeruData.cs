namespace TileServer.Testing;

/// <summary>
/// Locates the real Peru data, which lives beside the repository (<c>../shared/geodata/peru</c>) and never inside it:
/// the <c>TILESERVER_PERU_DATA</c> environment variable when set (a folder), else <c>../shared/geodata/peru</c> next to
/// the folder holding <c>TileServer.sln</c>, found by walking up from the running assembly.
/// </summary>
/// <remarks>
/// One file, compiled into both test projects and the benchmarks (linked from each project file): the rule is one
/// idea with no dependencies, so it needs no assembly of its own, and the benchmarks do not pick up xunit through it.
/// The tests' skip attributes are in <c>PeruFacts.cs</c> beside it.
/// </remarks>
internal static class PeruData
{
    /// <summary>Says why real-data code cannot run, for skips and errors alike.</summary>
    public const string AbsentReason = "../shared/geodata/peru is absent (a clone outside the project's workplace) and TILESERVER_PERU_DATA names no folder";

    private static readonly Lazy<string?> Folder = new(Locate);

    /// <summary>The folder, or null when it is absent.</summary>
    public static string? Directory => Folder.Value;

    public static bool Available => Directory is not null;

    /// <summary>A file of the data set; throws, saying why, when the data is absent.</summary>
    public static string File(string name) =>
        Path.Combine(Directory ?? throw new DirectoryNotFoundException(AbsentReason), name);

    private static string? Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("TILESERVER_PERU_DATA");
        if (!string.IsNullOrEmpty(overridden))
        {
            return System.IO.Directory.Exists(overridden) ? Path.GetFullPath(overridden) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "geodata", "peru"));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
