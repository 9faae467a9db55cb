namespace TileServer.Core.Coverage;

/// <summary>
/// The boundary graph of a coverage as half-edges, the input of <see cref="ChainGraph.FromHalfEdges"/>: half-edge
/// <c>h</c> runs from vertex <c>Origin[h]</c> to <c>Origin[h ^ 1]</c> (its twin is <c>h ^ 1</c>), has unit
/// <c>Left[h]</c> on its left (-1 outside every unit, never the same unit on both sides), and <c>Next[h]</c> is the
/// half-edge that follows it around the face on its left (the outgoing half-edge at its end immediately clockwise of
/// its twin).
/// </summary>
internal sealed record BoundaryHalfEdges(double[] VertexX, double[] VertexY, int[] Origin, int[] Next, int[] Left);
