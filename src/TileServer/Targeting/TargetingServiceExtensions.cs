using TileServer.Infrastructure;

namespace TileServer.Targeting;

public static class TargetingServiceExtensions
{
    /// <summary>Binds <see cref="TargetingOptions"/> from the <c>Targeting</c> section and validates them at start.</summary>
    public static IHostApplicationBuilder AddTargeting(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TargetingOptions>(TargetingOptions.SectionName, options => options.Validate());
        return builder;
    }
}
