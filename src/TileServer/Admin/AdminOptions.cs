namespace TileServer.Admin;

/// <summary>Configuration section <c>Admin</c>: the operator's routes (<c>POST /admin/reload</c>), validated at start.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Shortest token accepted: a short one could be guessed by trying.</summary>
    public const int MinTokenLength = 16;

    /// <summary>
    /// The bearer token of the admin routes (<c>Authorization: Bearer &lt;token&gt;</c>). Empty (the default): the admin
    /// routes do not exist. Give it from a secret (environment <c>Admin__Token</c>), not from a file in the image.
    /// </summary>
    public string Token { get; set; } = string.Empty;

    public bool Enabled => Token.Length > 0;

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate() =>
        Token.Length is > 0 and < MinTokenLength || Token.Any(char.IsWhiteSpace)
            ? [$"Admin:Token must be at least {MinTokenLength} characters without spaces (or empty, for no admin routes); got {Token.Length} characters."]
            : [];
}
