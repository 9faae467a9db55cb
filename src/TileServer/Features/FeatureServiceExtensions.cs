using Microsoft.Extensions.Options;

namespace TileServer.Features;

public static class FeatureServiceExtensions
{
    /// <summary>Binds and validates <see cref="FeaturesOptions"/> (section <c>Features</c>) and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FeaturesOptions>()
            .Bind(builder.Configuration.GetSection(FeaturesOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FeaturesOptions>, FeaturesOptionsValidator>();
        builder.AddFeatureOpenApi();
        return builder;
    }
}
