using TileServer.Core.Dataset;
using TileServer.Core.Features;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Features;

/// <summary>
/// The four 1-degree squares near Lima (<see cref="SmallLayers.FourSquares"/>) loaded as a dataset, whose features are
/// known by hand: 010101 UNO (poblacion 1000, pobreza_pct 10), 010102 DOS ÑANDÚ (3000, 30), 010201 TRES (missing, 50),
/// 020101 CUATRO (500, missing).
/// </summary>
public sealed class FourSquaresFeatures : IDisposable
{
    private readonly TempFolder _folder = new();

    public FourSquaresFeatures()
    {
        Snapshot = DatasetLoader.Load(new DatasetOptions
        {
            Districts = SmallLayers.WriteShapefile(_folder.Path, SmallLayers.FourSquares()),
            Estimates = SmallLayers.WriteCsv(_folder.Path, SmallLayers.FourSquaresCsv),
            CleanCoverage = false,
        });
    }

    public DatasetSnapshot Snapshot { get; }

    public FeatureSet Districts => Snapshot.Features.Find("districts")!;

    /// <summary>The query of <paramref name="parameters"/> (<c>name=value</c> pairs) on the districts.</summary>
    public FeatureQuery Query(params (string Name, string Value)[] parameters) =>
        FeatureQuery.Parse(Districts, parameters.Select(p => new KeyValuePair<string, IReadOnlyList<string>>(p.Name, [p.Value])), new FeatureLimits());

    /// <summary>The codes the query matches, in answer order.</summary>
    public string[] Codes(params (string Name, string Value)[] parameters)
    {
        var query = Query(parameters);
        return [.. query.Matches().Select(query.Set.Code)];
    }

    public void Dispose() => _folder.Dispose();
}
