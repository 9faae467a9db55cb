namespace TileServer.Api.Tests.Support;

/// <summary>
/// A copy of the embedded sample (<c>geodata/sample</c>) in a temporary folder, for tests that change the served files
/// (reloads); deleted on dispose.
/// </summary>
public sealed class SampleCopy : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("tileserver-reload-");

    public SampleCopy()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "TileServer.sln")))
        {
            root = root.Parent!;
        }

        foreach (var file in Directory.GetFiles(Path.Combine(root.FullName, "geodata", "sample")))
        {
            File.Copy(file, Path.Combine(_folder.FullName, Path.GetFileName(file)));
        }
    }

    public string Districts => Path.Combine(_folder.FullName, "districts.shp");

    public string Estimates => Path.Combine(_folder.FullName, "estimates.csv");

    /// <summary>The settings that serve this copy.</summary>
    public Dictionary<string, string?> Settings() => new() { ["Dataset:Districts"] = Districts, ["Dataset:Estimates"] = Estimates };

    /// <summary>Changes one estimate (the first data row's population) so that the CSV's bytes, and so the version, change.</summary>
    public void ChangeEstimates(int population)
    {
        var lines = File.ReadAllLines(Estimates);
        var cells = lines[1].Split(',');
        cells[4] = population.ToString(System.Globalization.CultureInfo.InvariantCulture);
        lines[1] = string.Join(',', cells);
        File.WriteAllLines(Estimates, lines);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
