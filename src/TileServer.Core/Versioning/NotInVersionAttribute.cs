namespace TileServer.Core.Versioning;

/// <summary>
/// Leaves an option out of the dataset version (<see cref="DatasetVersion"/>). Every other public property of an
/// options class enters it, so that a new option invalidates cached answers unless someone decides, and says why, that
/// it changes no answer: a path (the file's bytes enter the version instead), a limit that only refuses requests, or a
/// header that is not part of a representation (<c>Cache-Control</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class NotInVersionAttribute(string reason) : Attribute
{
    /// <summary>Why the option changes no answer's bytes.</summary>
    public string Reason { get; } = reason;
}
