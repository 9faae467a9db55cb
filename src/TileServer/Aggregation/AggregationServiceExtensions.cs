using TileServer.Infrastructure;

namespace TileServer.Aggregation;

public static class AggregationServiceExtensions
{
    /// <summary>Binds <see cref="AggregationOptions"/> from the <c>Aggregation</c> section and validates them at start.</summary>
    public static IHostApplicationBuilder AddAggregation(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AggregationOptions>(AggregationOptions.SectionName, options => options.Validate());
        return builder;
    }
}
