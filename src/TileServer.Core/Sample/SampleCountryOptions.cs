namespace TileServer.Core.Sample;

/// <summary>What <see cref="SampleCountryGenerator.Generate"/> makes and where it writes it.</summary>
public sealed record SampleCountryOptions
{
    /// <summary>Smallest supported district count (room for the lake, enclaves and a few departments).</summary>
    public const int MinDistrictCount = 50;

    /// <summary>
    /// Largest supported district count: the 2-digit department, province and district codes leave about a 1.5-fold
    /// margin for uneven region sizes here (see <see cref="AdministrativeHierarchy"/>).
    /// </summary>
    public const int MaxDistrictCount = 250_000;

    /// <summary>Number of districts, between <see cref="MinDistrictCount"/> and <see cref="MaxDistrictCount"/>.</summary>
    public int DistrictCount { get; init; } = 300;

    /// <summary>Seed of every random choice; the same seed and count give byte-identical files.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Folder to write into; created when missing; files of the same names are overwritten.</summary>
    public required string OutputDirectory { get; init; }
}
