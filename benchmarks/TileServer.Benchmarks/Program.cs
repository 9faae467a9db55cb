using BenchmarkDotNet.Running;

if (args is ["tile-sizes", ..])
{
    TileServer.Benchmarks.Tiles.TileSizeReport.Run();
    return;
}

if (args is ["tile-list", ..])
{
    TileServer.Benchmarks.Tiles.TileSizeReport.List();
    return;
}

if (args is ["tile-build-time", ..])
{
    TileServer.Benchmarks.Tiles.TileBuildTime.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(TileServer.Benchmarks.Aggregation.AggregationBenchmarks).Assembly).Run(args);
