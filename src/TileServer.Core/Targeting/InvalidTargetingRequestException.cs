namespace TileServer.Core.Targeting;

/// <summary>
/// A targeting or allocation request that cannot be answered as given: <see cref="Field"/> names the offending member
/// as a JSON path into the request body (<c>rules[3].indicator</c>, <c>scope.department</c>, <c>budget</c>; empty
/// for the body as a whole), and <see cref="Exception.Message"/> says what is wrong in words fit for an API client.
/// </summary>
public sealed class InvalidTargetingRequestException : Exception
{
    public InvalidTargetingRequestException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    public InvalidTargetingRequestException()
    {
    }

    public InvalidTargetingRequestException(string message)
        : base(message)
    {
    }

    public InvalidTargetingRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The JSON path of the offending member; empty for the body as a whole.</summary>
    public string Field { get; } = string.Empty;
}
