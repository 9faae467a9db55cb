using System.Globalization;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Esri;
using TileServer.Core.Sample;

namespace TileServer.Core.Tests.Sample;

/// <summary>A sample country generated into a temporary folder and read back the way a consumer would read it.</summary>
public sealed class GeneratedCountry : IDisposable
{
    public GeneratedCountry(int districtCount, int seed)
    {
        Directory = Path.Combine(Path.GetTempPath(), "tileserver-sample-" + Guid.NewGuid().ToString("N"));
        Result = SampleCountryGenerator.Generate(new SampleCountryOptions
        {
            DistrictCount = districtCount,
            Seed = seed,
            OutputDirectory = Directory,
        });
        Features = Shapefile.ReadAllFeatures(Result.ShapefilePath);
        EstimateLines = File.ReadAllLines(Result.EstimatesPath, System.Text.Encoding.UTF8);
    }

    public string Directory { get; }

    public SampleCountryResult Result { get; }

    public Feature[] Features { get; }

    public string[] EstimateLines { get; }

    public static string Attribute(IFeature feature, string name) =>
        Convert.ToString(feature.Attributes[name], CultureInfo.InvariantCulture) ?? string.Empty;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>The few-hundred-district country most tests share (generated once per test class).</summary>
public sealed class SmallCountryFixture() : IDisposable
{
    public GeneratedCountry Country { get; } = new(districtCount: 300, seed: 7);

    public void Dispose() => Country.Dispose();
}
