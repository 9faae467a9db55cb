namespace TileServer.Core.Storage;

/// <summary>What a tile archive writer stored.</summary>
/// <param name="AddressedTiles">Tiles a reader can look up.</param>
/// <param name="TileEntries">Index rows: MBTiles <c>map</c> rows; PMTiles directory entries after run-length merging.</param>
/// <param name="TileContents">Distinct tile blobs stored (identical tiles are stored once).</param>
/// <param name="FileBytes">Size of the written file.</param>
public sealed record TileArchiveReport(string Path, long AddressedTiles, long TileEntries, long TileContents, long FileBytes);
