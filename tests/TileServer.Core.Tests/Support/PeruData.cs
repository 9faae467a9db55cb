namespace TileServer.Core.Tests.Support;

/// <summary>
/// Locates the real Peru data that lives beside the repository (<c>../shared/geodata/peru</c>), never inside it.
/// <c>TILESERVER_PERU_DATA</c> overrides the location.
/// </summary>
public static class PeruData
{
    private static readonly Lazy<string?> Folder = new(Locate);

    /// <summary>The folder, or null when it is absent (a fresh clone outside the project's workplace).</summary>
    public static string? Directory => Folder.Value;

    public static bool Available => Directory is not null;

    public const string SkipReason = "../shared/geodata/peru is absent (a clone outside the project's workplace): real-data test skipped";

    public static string File(string name) =>
        Path.Combine(Directory ?? throw new InvalidOperationException(SkipReason), name);

    private static string? Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("TILESERVER_PERU_DATA");
        if (!string.IsNullOrEmpty(overridden))
        {
            return System.IO.Directory.Exists(overridden) ? overridden : null;
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

/// <summary>A fact that runs on the real Peru data and is skipped, saying why, when that data is absent.</summary>
public sealed class PeruFactAttribute : FactAttribute
{
    public PeruFactAttribute()
    {
        if (!PeruData.Available)
        {
            Skip = PeruData.SkipReason;
        }
    }
}

/// <summary>A theory over the real Peru data; skipped, saying why, when that data is absent.</summary>
public sealed class PeruTheoryAttribute : TheoryAttribute
{
    public PeruTheoryAttribute()
    {
        if (!PeruData.Available)
        {
            Skip = PeruData.SkipReason;
        }
    }
}
