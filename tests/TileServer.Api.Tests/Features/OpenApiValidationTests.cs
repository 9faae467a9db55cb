using System.Diagnostics;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Features;

/// <summary>
/// The OpenAPI document at <c>/api</c> validates with an independent OpenAPI 3.0 validator from npm
/// (<c>@apidevtools/swagger-parser</c>, pinned in <c>tests/openapi-validator</c>; <c>.ci/run</c> runs <c>npm ci</c> there).
/// </summary>
[Collection(SampleCollection.Name)]
public class OpenApiValidationTests(SampleServerFixture sample)
{
    [OpenApiValidatorFact]
    public async Task The_openapi_document_validates()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tileserver-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await sample.Client.GetStringAsync("/api"));
        try
        {
            var start = new ProcessStartInfo("node", [Path.Combine(OpenApiValidator.Folder!, "validate.mjs"), path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = OpenApiValidator.Folder!,
            };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.True(process.ExitCode == 0, $"the validator rejected /api: {error}");
            Assert.StartsWith("valid 3.0", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

internal static class OpenApiValidator
{
    public static string? Folder { get; } = Locate();

    public static string? SkipReason { get; } =
        Folder is null ? "tests/openapi-validator not found beside the test assembly's repository"
        : !Directory.Exists(Path.Combine(Folder, "node_modules", "@apidevtools", "swagger-parser")) ? $"npm packages missing: run 'npm ci' in {Folder} (.ci/run does)"
        : !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "node"))) ? "node is not on the PATH: the OpenAPI validation needs it"
        : null;

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                var folder = Path.Combine(dir.FullName, "tests", "openapi-validator");
                return File.Exists(Path.Combine(folder, "validate.mjs")) ? folder : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs node and the pinned validator; skipped, saying why, without them.</summary>
public sealed class OpenApiValidatorFactAttribute : FactAttribute
{
    public OpenApiValidatorFactAttribute()
    {
        if (OpenApiValidator.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
