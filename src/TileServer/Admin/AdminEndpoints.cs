using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TileServer.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Admin;

public static class AdminEndpoints
{
    /// <summary>
    /// <c>POST /admin/reload</c>, mapped only when <c>Admin:Token</c> is set (with no token the route does not exist:
    /// 404 like any unknown path). Every admin route requires <c>Authorization: Bearer &lt;Admin:Token&gt;</c>; a missing or
    /// wrong token is 401 problem, compared in constant time.
    /// </summary>
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var token = new BearerToken(options.Token);
        var group = app.MapGroup("/admin").WithTags("Admin").ExcludeFromDescription()
            .AddEndpointFilter((context, next) => token.Matches(context.HttpContext.Request.Headers.Authorization)
                ? next(context)
                : ValueTask.FromResult<object?>(Unauthorized(context.HttpContext)));
        group.MapPost("/reload", ReloadAsync);
        return app;
    }

    /// <summary>
    /// Reloads (<see cref="DatasetReloader"/>, trigger <c>admin</c>) and answers when the load has ended: 200 with the
    /// outcome (<c>loaded</c> or <c>unchanged</c>) and the versions, or 422 problem naming the file and the reason (the
    /// old dataset still serving). The load goes on if the client disconnects.
    /// </summary>
    private static async Task<Results<Ok<ReloadResult>, ProblemHttpResult>> ReloadAsync(DatasetReloader reloader)
    {
        var result = await reloader.ReloadAsync(ReloadTrigger.Admin);
        if (!result.Failed)
        {
            return TypedResults.Ok(result);
        }

        return TypedResults.Problem(
            $"{result.Error}; the dataset {result.Version ?? "(none)"} is still served.",
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Reload failed",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["version"] = result.Version, ["reload"] = reloader.Status });
    }

    private static ProblemHttpResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"tileserver-admin\"";
        return TypedResults.Problem("The admin routes need Authorization: Bearer <Admin:Token>.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
    }

    /// <summary>
    /// The configured token, kept as its SHA-256: a candidate is hashed and compared with
    /// <see cref="CryptographicOperations.FixedTimeEquals"/>, so the time taken depends neither on how many leading
    /// characters match nor on the token's length.
    /// </summary>
    private sealed class BearerToken(string token)
    {
        private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

        public bool Matches(Microsoft.Extensions.Primitives.StringValues authorization)
        {
            if (authorization.Count != 1 || authorization[0] is not { } value
                || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var given = SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(7).Trim().ToString()));
            return CryptographicOperations.FixedTimeEquals(given, _hash);
        }
    }
}

public static class AdminServiceExtensions
{
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AdminOptions>(AdminOptions.SectionName, options => options.Validate());
        return builder;
    }
}
