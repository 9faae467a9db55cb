using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Dataset;

/// <summary>
/// A load whose input file is replaced while it reads fails, naming the file, rather than publish the content it read
/// under the version of the content that replaced it (DatasetLoader: the version hashes the files as they are once
/// read). The oracle: the versions of the two contents, computed while each is in place and nothing changes.
/// </summary>
public class DatasetLoaderChangedInputTests
{
    [Fact]
    public async Task A_file_replaced_during_the_load_fails_it_or_the_version_names_the_content_read()
    {
        using var folder = new TempFolder();
        var sample = SampleFolder();
        foreach (var part in new[] { "districts.shp", "districts.shx", "districts.dbf", "districts.prj", "districts.cpg", "estimates.csv" })
        {
            if (File.Exists(Path.Combine(sample, part)))
            {
                File.Copy(Path.Combine(sample, part), folder.File(part));
            }
        }

        var options = new DatasetOptions { Districts = folder.File("districts.shp"), Estimates = folder.File("estimates.csv") };
        var lines = File.ReadAllLines(options.Estimates);
        var firstCode = lines[1].Split(',')[0];
        string[] contents = [.. new[] { 111_111, 222_222 }.Select(population => Content(lines, population))];
        var versions = contents.Select(content =>
        {
            Replace(options.Estimates, content);
            return DatasetLoader.Version(options, null);
        }).ToArray();
        Assert.NotEqual(versions[0], versions[1]);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                Replace(options.Estimates, contents[i % 2]);
                Thread.Sleep(15);
            }
        });
        var detected = 0;
        var published = 0;
        try
        {
            for (var attempt = 0; attempt < 12 && (attempt < 3 || detected == 0); attempt++)
            {
                try
                {
                    var snapshot = DatasetLoader.Load(options);
                    var population = (double)snapshot.Districts.Find(firstCode)!.Values[snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("poblacion")]!;
                    Assert.Equal(versions[population == 111_111 ? 0 : 1], snapshot.Version);
                    published++;
                }
                catch (DataFileException e) when (e.Message.Contains("changed while the load was reading it", StringComparison.Ordinal))
                {
                    Assert.Equal(Path.GetFullPath(options.Estimates), e.FilePath);
                    detected++;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        Assert.True(detected > 0, $"no load noticed the replaced file ({published} published)");
    }

    private static string Content(string[] lines, int population)
    {
        var header = lines[0].Split(',');
        var cells = lines[1].Split(',');
        cells[Array.IndexOf(header, "poblacion")] = population.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join('\n', [lines[0], string.Join(',', cells), .. lines.Skip(2)]) + "\n";
    }

    /// <summary>Written beside the file and renamed over it, as an operator publishes (atomic).</summary>
    private static void Replace(string path, string content)
    {
        File.WriteAllText(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string SampleFolder()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TileServer.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TileServer.sln not found");
        }

        return Path.Combine(root, "geodata", "sample");
    }
}
