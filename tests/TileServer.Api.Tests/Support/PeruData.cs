namespace TileServer.Api.Tests.Support;

/// <summary>The real Peru data beside the repository (<c>../shared/geodata/peru</c>); see the Core tests' twin.</summary>
public static class PeruData
{
    private static readonly Lazy<string?> Folder = new(() =>
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
    });

    public static string? Directory => Folder.Value;

    public static bool Available => Directory is not null;

    public const string SkipReason = "../shared/geodata/peru is absent (a clone outside the project's workplace): real-data test skipped";

    public static string File(string name) => Path.Combine(Directory ?? throw new InvalidOperationException(SkipReason), name);
}

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
