using TileServer.AdminUnits;
using TileServer.Aggregation;
using TileServer.Dataset;
using TileServer.Features;
using TileServer.Health;
using TileServer.Infrastructure;
using TileServer.Lookup;
using TileServer.Tiles;

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddHttpConventions();
builder.AddDataset();
builder.AddAggregation();
builder.AddLookup();
builder.AddTiles();
builder.AddFeatures();

var app = builder.Build();
app.UseHttpConventions();
var endpoints = app.MapGroup("").AnswerHeadLikeGet();
endpoints.MapHealth();
endpoints.MapDataset();
endpoints.MapAdminUnits();
endpoints.MapAggregation();
endpoints.MapLookup();
endpoints.MapTiles();
endpoints.MapGroup("").RequireDataset().MapFeatures();
endpoints.MapFeatureOpenApi();

return await app.RunServerAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c>.</summary>
public partial class Program;
