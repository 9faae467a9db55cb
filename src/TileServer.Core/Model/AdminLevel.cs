namespace TileServer.Core.Model;

/// <summary>The three administrative levels, coarsest first.</summary>
public enum AdminLevel
{
    Department,
    Province,
    District,
}
