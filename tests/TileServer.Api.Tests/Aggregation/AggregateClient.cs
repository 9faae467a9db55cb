using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace TileServer.Api.Tests.Aggregation;

/// <summary>Requests to <c>/v1/aggregate</c> and readers of its answers.</summary>
internal static class AggregateClient
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    public static string ToGeoJson(Geometry geometry) => JsonSerializer.Serialize(geometry, GeoJson);

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string query = "") =>
        client.PostAsync($"/v1/aggregate{query}", new StringContent(body, Encoding.UTF8, "application/geo+json"));

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> PostOkAsync(HttpClient client, string body, string query = "")
    {
        using var response = await PostAsync(client, body, query);
        return await OkJsonAsync(response);
    }

    public static async Task<JsonElement> GetOkAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/v1/aggregate{query}");
        return await OkJsonAsync(response);
    }

    public static double Number(JsonElement element, string name) => element.GetProperty(name).GetDouble();

    public static double Estimate(JsonElement element, string column) => element.GetProperty("estimates").GetProperty(column).GetDouble();

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
