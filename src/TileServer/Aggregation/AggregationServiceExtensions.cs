using Microsoft.Extensions.Options;

namespace TileServer.Aggregation;

public static class AggregationServiceExtensions
{
    /// <summary>Binds <see cref="AggregationOptions"/> from the <c>Aggregation</c> section and validates them at start.</summary>
    public static IHostApplicationBuilder AddAggregation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AggregationOptions>()
            .Bind(builder.Configuration.GetSection(AggregationOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AggregationOptions>, AggregationOptionsValidator>();
        return builder;
    }
}

internal sealed class AggregationOptionsValidator : IValidateOptions<AggregationOptions>
{
    public ValidateOptionsResult Validate(string? name, AggregationOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
