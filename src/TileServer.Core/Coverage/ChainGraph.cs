namespace TileServer.Core.Coverage;

/// <summary>
/// The chains of a <see cref="CoverageTopology"/> and their two directions (darts), in flat arrays.
/// </summary>
/// <remarks>
/// Chain c's vertices are <c>X, Y[ChainStart[c] .. ChainStart[c + 1])</c>, its first and last being nodes. Dart
/// <c>2c</c> runs along chain c forwards, dart <c>2c + 1</c> backwards; per dart: the node it leaves
/// (<see cref="DartNode"/>), the unit on its left (<see cref="DartLeft"/>, -1 outside) and the dart that follows it
/// around that face (<see cref="DartNext"/>). Immutable once built.
/// </remarks>
internal sealed class ChainGraph(int nodeCount, int[] chainStart, double[] x, double[] y, int[] dartNode, int[] dartLeft, int[] dartNext)
{
    public int NodeCount { get; } = nodeCount;

    public int[] ChainStart { get; } = chainStart;

    public double[] X { get; } = x;

    public double[] Y { get; } = y;

    public int[] DartNode { get; } = dartNode;

    public int[] DartLeft { get; } = dartLeft;

    public int[] DartNext { get; } = dartNext;

    public int ChainCount => ChainStart.Length - 1;

    /// <summary>The same graph with other vertex coordinates (same length and order).</summary>
    public ChainGraph WithCoordinates(double[] x, double[] y) => new(NodeCount, ChainStart, x, y, DartNode, DartLeft, DartNext);

    /// <summary>
    /// Merges half-edges into chains: a node is a vertex where the number of boundary edges is not two (where three
    /// or more units meet, or a shared border meets the outside), and a cycle of the graph without any node (an island
    /// or an enclave's ring) gets its smallest vertex (x, then y) as node. Chains start from the half-edges leaving a
    /// node, in half-edge order, so the result depends only on the half-edges given.
    /// </summary>
    public static ChainGraph FromHalfEdges(BoundaryHalfEdges halfEdges)
    {
        var (vx, vy, origin, next) = (halfEdges.VertexX, halfEdges.VertexY, halfEdges.Origin, halfEdges.Next);
        var degree = new int[vx.Length];
        foreach (var v in origin)
        {
            degree[v]++;
        }

        var isNode = new bool[vx.Length];
        for (var v = 0; v < vx.Length; v++)
        {
            isNode[v] = degree[v] is > 0 and not 2;
        }

        var assigned = new bool[origin.Length];
        var firstHalfEdge = new List<int>();
        var lastHalfEdge = new List<int>();
        var chainStart = new List<int> { 0 };
        var xs = new List<double>(origin.Length / 2 * 3);
        var ys = new List<double>(origin.Length / 2 * 3);

        void AddChain(int h)
        {
            firstHalfEdge.Add(h);
            var e = h;
            while (true)
            {
                assigned[e] = assigned[e ^ 1] = true;
                xs.Add(vx[origin[e]]);
                ys.Add(vy[origin[e]]);
                if (isNode[origin[e ^ 1]])
                {
                    break;
                }

                // At a vertex of degree two the next half-edge around the face is the chain's continuation.
                e = next[e];
            }

            lastHalfEdge.Add(e);
            xs.Add(vx[origin[e ^ 1]]);
            ys.Add(vy[origin[e ^ 1]]);
            chainStart.Add(xs.Count);
        }

        for (var h = 0; h < origin.Length; h++)
        {
            if (!assigned[h] && isNode[origin[h]])
            {
                AddChain(h);
            }
        }

        for (var h = 0; h < origin.Length; h++)
        {
            if (assigned[h])
            {
                continue;
            }

            var smallest = h;
            for (var e = next[h]; e != h; e = next[e])
            {
                int a = origin[e], b = origin[smallest];
                if (vx[a] < vx[b] || (vx[a] == vx[b] && vy[a] < vy[b]))
                {
                    smallest = e;
                }
            }

            isNode[origin[smallest]] = true;
            AddChain(smallest);
        }

        var nodeId = new int[vx.Length];
        var nodeCount = 0;
        for (var v = 0; v < vx.Length; v++)
        {
            nodeId[v] = isNode[v] ? nodeCount++ : -1;
        }

        var chainCount = firstHalfEdge.Count;
        var dartOf = new int[origin.Length];
        for (var c = 0; c < chainCount; c++)
        {
            dartOf[firstHalfEdge[c]] = 2 * c;
            dartOf[lastHalfEdge[c] ^ 1] = (2 * c) + 1;
        }

        var dartNode = new int[2 * chainCount];
        var dartLeft = new int[2 * chainCount];
        var dartNext = new int[2 * chainCount];
        for (var c = 0; c < chainCount; c++)
        {
            int first = firstHalfEdge[c], last = lastHalfEdge[c];
            dartNode[2 * c] = nodeId[origin[first]];
            dartNode[(2 * c) + 1] = nodeId[origin[last ^ 1]];
            dartLeft[2 * c] = halfEdges.Left[first];
            dartLeft[(2 * c) + 1] = halfEdges.Left[first ^ 1];
            dartNext[2 * c] = dartOf[next[last]];
            dartNext[(2 * c) + 1] = dartOf[next[first ^ 1]];
        }

        return new ChainGraph(nodeCount, [.. chainStart], [.. xs], [.. ys], dartNode, dartLeft, dartNext);
    }
}
