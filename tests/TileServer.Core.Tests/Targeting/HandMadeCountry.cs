using NetTopologySuite.Geometries;
using TileServer.Core.Dataset;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Targeting;

/// <summary>
/// Eight one-degree square districts in a row (district i spans longitudes -80 + i to -79 + i, latitudes -10 to -9),
/// in three departments, loaded through the real loader. Every figure the targeting tests expect is worked out by hand
/// from this table:
/// <code>
/// code    poblacion pobreza_pct idh   poor (q = pct/100 × p)    (altitud: metres, not a share)
/// 010101     1000       80      0.30     800
/// 010102     2000       50      0.40    1000
/// 010201     4000       50      0.35    2000
/// 020101    10000       60      0.45    6000
/// 020102      500       40      0.50     200
/// 020103        -       90      0.20       - (no population: without data)
/// 030101     3000        -      0.25       - (no poverty rate: without data)
/// 030102     2500       20      0.60     500
/// </code>
/// With data: 6 units, N = 20000, Q = 10500; without data: 2 units, 3000 persons known.
/// </summary>
public sealed class HandMadeCountry : IDisposable
{
    public static readonly string[] Codes = ["010101", "010102", "010201", "020101", "020102", "020103", "030101", "030102"];

    private const string Csv =
        "ubigeo,departamento,provincia,distrito,poblacion,pobreza_pct,idh,altitud\n" +
        "010101,UNO,UNO A,D1,1000,80,0.30,2300\n" +
        "010102,UNO,UNO A,D2,2000,50,0.40,3400\n" +
        "010201,UNO,UNO B,D3,4000,50,0.35,2800\n" +
        "020101,DOS,DOS A,D4,10000,60,0.45,3900\n" +
        "020102,DOS,DOS A,D5,500,40,0.50,150\n" +
        "020103,DOS,DOS A,D6,,90,0.20,4100\n" +
        "030101,TRES,TRES A,D7,3000,,0.25,900\n" +
        "030102,TRES,TRES A,D8,2500,20,0.60,2500\n";

    private readonly TempFolder _folder = new();

    public HandMadeCountry()
    {
        var districts = Codes.Select((code, i) => (code, $"D{i + 1}", (Geometry)SmallLayers.Box(-80 + i, -10, -79 + i, -9)));
        Snapshot = DatasetLoader.Load(new DatasetOptions
        {
            Districts = SmallLayers.WriteShapefile(_folder.Path, districts),
            Estimates = SmallLayers.WriteCsv(_folder.Path, Csv),
            DerivedCounts = "pobres=pobreza_pct",
        });
    }

    public DatasetSnapshot Snapshot { get; }

    /// <summary>The centre of district <paramref name="code"/>'s square.</summary>
    public static Coordinate Centre(string code) => new(-79.5 + Array.IndexOf(Codes, code), -9.5);

    public void Dispose() => _folder.Dispose();
}
