namespace TileServer.Operations;

/// <summary>Configuration section <c>Shutdown</c>: how <c>SIGTERM</c> ends the server (<see cref="ShutdownDrain"/>), validated at start.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// Seconds the server keeps answering after <c>SIGTERM</c> while readiness answers 503, so that load balancers
    /// (Kubernetes endpoints, a cloud LB's health checks) stop sending before it stops accepting. Default 5.
    /// </summary>
    public double DrainSeconds { get; set; } = 5;

    /// <summary>Seconds, after the drain, for the requests in flight to finish before their connections are cut. Default 30.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(DrainSeconds is >= 0 and <= 600))
        {
            errors.Add($"Shutdown:DrainSeconds must be between 0 and 600, got {DrainSeconds}.");
        }

        if (!(TimeoutSeconds is >= 0 and <= 3600))
        {
            errors.Add($"Shutdown:TimeoutSeconds must be between 0 and 3600, got {TimeoutSeconds}.");
        }

        return errors;
    }
}
