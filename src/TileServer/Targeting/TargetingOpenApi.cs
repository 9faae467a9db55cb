using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace TileServer.Targeting;

/// <summary>
/// How <c>/v1/targeting</c> and <c>/v1/allocation</c> appear in the OpenAPI document at <c>/api</c>: their handlers
/// read the body themselves (strictly, <see cref="Core.Targeting.TargetingRequestReader"/>), so each operation gets
/// its request body, with an example, and examples of its JSON answer from an operation transformer.
/// </summary>
internal static class TargetingOpenApi
{
    public static readonly JsonObject TargetingExample = new()
    {
        ["level"] = "district",
        ["scope"] = new JsonObject { ["department"] = "05" },
        ["indicator"] = "pobreza_pct",
        ["rules"] = new JsonArray(
            new JsonObject { ["name"] = "poorest", ["threshold"] = 50 },
            new JsonObject { ["name"] = "top 100", ["top"] = 100 },
            new JsonObject { ["name"] = "low idh", ["threshold"] = 0.4, ["indicator"] = "idh", ["direction"] = "below" },
            new JsonObject { ["name"] = "2 million", ["populationBudget"] = 2_000_000 },
            new JsonObject { ["name"] = "S/ 1200 a year", ["budget"] = 500_000_000, ["perPerson"] = 1200 }),
    };

    public static readonly JsonObject AllocationExample = new()
    {
        ["budget"] = 1_000_000_000,
        ["level"] = "department",
        ["formulas"] = new JsonArray(
            "population", "poor", "extremePoor", "equal",
            new JsonObject { ["name"] = "70/30", ["weights"] = new JsonObject { ["poor"] = 0.7, ["population"] = 0.3 } }),
    };

    private static readonly JsonObject TargetingAnswer = new()
    {
        ["level"] = "district",
        ["indicator"] = "pobreza_pct",
        ["scope"] = new JsonObject
        {
            ["units"] = 1870, ["population"] = 34373533, ["poor"] = 7179270.21, ["unitsWithoutData"] = 21, ["populationWithoutData"] = 0,
            ["repair"] = null,
        },
        ["results"] = new JsonArray(new JsonObject
        {
            ["name"] = "poorest",
            ["rule"] = new JsonObject { ["indicator"] = "pobreza_pct", ["direction"] = "above", ["threshold"] = 50 },
            ["units"] = 360, ["population"] = 2503287, ["poor"] = 1468474.26, ["coverage"] = 0.2045, ["undercoverage"] = 0.7955,
            ["leakage"] = 0.4134, ["precision"] = 0.5866, ["cgh"] = 2.8087, ["bestPoorSamePopulation"] = 1468474.26, ["efficiency"] = 1,
            ["skippedUnits"] = 0, ["skippedPopulation"] = 0, ["unrankedUnits"] = 0,
            ["selected"] = new JsonArray("050410", "060308", "..."), ["skipped"] = new JsonArray(),
            ["byDepartment"] = new JsonArray(new JsonObject
            {
                ["code"] = "01", ["name"] = "AMAZONAS", ["units"] = 21, ["population"] = 152645, ["poor"] = 84174.23, ["coverage"] = 0.4742,
            }),
        }),
    };

    private static readonly JsonObject AllocationAnswer = new()
    {
        ["budget"] = 1_000_000_000,
        ["level"] = "department",
        ["indicator"] = "pobreza_pct",
        ["scope"] = new JsonObject
        {
            ["units"] = 25, ["population"] = 34373533, ["poor"] = 7179270.21, ["unitsWithoutData"] = 0, ["populationWithoutData"] = 0,
            ["repair"] = null,
        },
        ["results"] = new JsonArray(new JsonObject
        {
            ["name"] = "poor",
            ["weights"] = new JsonObject { ["poor"] = 1 },
            ["distanceToPoor"] = 0,
            ["units"] = new JsonArray(new JsonObject
            {
                ["code"] = "01", ["name"] = "AMAZONAS", ["amount"] = 24722896, ["share"] = 0.024723, ["perPerson"] = 52.27, ["perPoor"] = 139.29,
            }),
        }),
    };

    /// <summary>The request body and answer examples of <c>POST /v1/targeting</c>, and what <c>selected</c> does.</summary>
    public static RouteHandlerBuilder WithTargetingDocument(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Describe(operation, "The rules to compare, the level, the scope (absent: the country) and the indicator that says who is poor.",
                TargetingExample, "rule", """{"rules": [{"name": "poorest", "threshold": 50}]}""", TargetingAnswer, "name,indicator,direction,kind,threshold,top,populationBudget,budget,perPerson,units,...\n");
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Name == "selected")
                {
                    parameter.Description = "false: leave the lists of selected and skipped codes out (the counts stay). Default true.";
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>The request body and answer examples of <c>POST /v1/allocation</c>.</summary>
    public static RouteHandlerBuilder WithAllocationDocument(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Describe(operation, "The budget in whole currency units, the level, the scope (absent: the country) and the formulas to compare.",
                AllocationExample, "formula", """{"budget": 1000000000, "formulas": ["poor"]}""", AllocationAnswer, "formula,code,name,population,poor,amount,share,perPerson,perPoor\n");
            return Task.CompletedTask;
        });

    private static void Describe(OpenApiOperation operation, string description, JsonObject request, string what, string answered, JsonObject answer, string csvHeader)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Description = description,
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Example = request.DeepClone() } },
        };
        if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
        {
            ok.Description = $"One result per {what}, in order; Accept: text/csv for CSV. The example is Peru's answer to {answered}, rounded and abridged.";
            ok.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Example = answer.DeepClone() },
                ["text/csv"] = new() { Example = JsonValue.Create(csvHeader) },
            };
        }
    }
}
