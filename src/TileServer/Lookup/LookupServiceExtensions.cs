using TileServer.Infrastructure;

namespace TileServer.Lookup;

public static class LookupServiceExtensions
{
    /// <summary>
    /// Binds and validates <see cref="LookupOptions"/> (section <c>Lookup</c>). <c>Lookup:MaxSnapMeters</c>, the key's
    /// spelling before configuration keys settled on "metres" (as <c>Dataset:MaxGapWidthMetres</c>), still sets
    /// <see cref="LookupOptions.MaxSnapMetres"/>, with a warning naming the new key.
    /// </summary>
    public static IHostApplicationBuilder AddLookup(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LookupOptions>(LookupOptions.SectionName, options => options.Validate())
            .AcceptRenamedKey(builder.Configuration, "Lookup:MaxSnapMeters", "Lookup:MaxSnapMetres");
        return builder;
    }
}
