namespace TileServer.Testing;

/// <summary>A fact that runs on the real Peru data (<see cref="PeruData"/>) and is skipped, saying why, only when
/// that data is absent.</summary>
internal sealed class PeruFactAttribute : FactAttribute
{
    public PeruFactAttribute()
    {
        if (!PeruData.Available)
        {
            Skip = PeruData.AbsentReason + ": real-data test skipped";
        }
    }
}

/// <summary>A theory over the real Peru data; skipped, saying why, only when that data is absent.</summary>
internal sealed class PeruTheoryAttribute : TheoryAttribute
{
    public PeruTheoryAttribute()
    {
        if (!PeruData.Available)
        {
            Skip = PeruData.AbsentReason + ": real-data test skipped";
        }
    }
}
