using Microsoft.Extensions.Options;

namespace TileServer.Targeting;

public static class TargetingServiceExtensions
{
    /// <summary>Binds <see cref="TargetingOptions"/> from the <c>Targeting</c> section and validates them at start.</summary>
    public static IHostApplicationBuilder AddTargeting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TargetingOptions>()
            .Bind(builder.Configuration.GetSection(TargetingOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TargetingOptions>, TargetingOptionsValidator>();
        return builder;
    }
}

internal sealed class TargetingOptionsValidator : IValidateOptions<TargetingOptions>
{
    public ValidateOptionsResult Validate(string? name, TargetingOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
