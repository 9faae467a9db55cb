using BenchmarkDotNet.Running;

if (args is ["tile-sizes", ..])
{
    TileServer.Benchmarks.Tiles.TileSizeReport.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
