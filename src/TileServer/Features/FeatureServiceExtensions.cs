using TileServer.Infrastructure;

namespace TileServer.Features;

public static class FeatureServiceExtensions
{
    /// <summary>Binds and validates <see cref="FeaturesOptions"/> (section <c>Features</c>) and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddFeatures(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<FeaturesOptions>(FeaturesOptions.SectionName, options => options.Validate());
        builder.AddFeatureOpenApi();
        return builder;
    }
}
