using TileServer.Admin;
using TileServer.AdminUnits;
using TileServer.Aggregation;
using TileServer.Commands;
using TileServer.Dataset;
using TileServer.Features;
using TileServer.Health;
using TileServer.Infrastructure;
using TileServer.Lookup;
using TileServer.Map;
using TileServer.Metrics;
using TileServer.Operations;
using TileServer.Search;
using TileServer.Targeting;
using TileServer.Tiles;

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddHttpConventions();
builder.AddLimits();
builder.AddMetrics();
builder.AddRequestLog();
builder.AddShutdown();
builder.AddDataset();
builder.AddAdmin();
builder.AddAggregation();
builder.AddLookup();
builder.AddTiles();
builder.AddFeatures();
builder.AddWebMap();
builder.AddTargeting();

var app = builder.Build();
if (app.InvalidConfiguration() is { } exitCode)
{
    return exitCode;
}

app.UseHttpConventions();
app.UseMetrics();
app.UseRequestLog();
app.UseShutdownDrain();
app.UseLimits();

var endpoints = app.MapGroup("").AnswerHeadLikeGet();
endpoints.MapHealth();
endpoints.MapAdmin();

var api = endpoints.MapGroup("/v1").RequireDataset();
api.MapDataset();
api.MapAdminUnits();
api.MapAggregation();
api.MapLookup();
api.MapSearch();
api.MapTargeting();

var tiles = endpoints.MapGroup("/tiles").RequireDataset();
tiles.MapTiles();

var styles = endpoints.MapGroup("/styles").RequireDataset();
styles.MapStyles();

var features = endpoints.MapGroup("").RequireDataset();
features.MapFeatures();
endpoints.MapFeatureOpenApi();
endpoints.MapWebMap();

return await app.RunServerAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c>.</summary>
public partial class Program;
