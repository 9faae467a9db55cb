using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Http;
using TileServer.Benchmarks.Aggregation;
using TileServer.Core.Model;
using TileServer.Core.Targeting;
using TileServer.Targeting;

namespace TileServer.Benchmarks.Targeting;

/// <summary>
/// Issue 15's goals on Peru's 1,891 districts as the server loads them: one rule under 1 ms and a request of 100 rules
/// under 20 ms, in process. <c>OneRule</c> and <c>HundredRules</c> run the engine on a parsed query, against
/// <see cref="NaiveTargeting"/> (LINQ per rule) in the same run; <c>HundredRulesRequest</c> is the whole request
/// without the socket: the body read by <see cref="TargetingRequestReader"/>, the engine, and the JSON answer with
/// every selected code written by the endpoint's own writer to a discarding body.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TargetingBenchmarks
{
    private TargetingIndex _index = null!;
    private NaiveTargeting _naive = null!;
    private TargetingQuery _oneRule = null!;
    private TargetingQuery _hundredRules = null!;
    private byte[] _hundredRulesBody = null!;
    private AllocationQuery _allocation = null!;

    /// <summary>100 rules: 40 thresholds (every 2.5 points), 30 top-N (25 to 750), 30 population budgets (0.5 to 15
    /// million persons, the rules that walk the ranking); every list of selected codes is written.</summary>
    private static string HundredRulesJson()
    {
        var rules = Enumerable.Range(0, 40).Select(i => $$"""{"name": "t{{i}}", "threshold": {{i * 2.5}}}""")
            .Concat(Enumerable.Range(1, 30).Select(i => $$"""{"name": "top{{i}}", "top": {{i * 25}}}"""))
            .Concat(Enumerable.Range(1, 30).Select(i => $$"""{"name": "p{{i}}", "populationBudget": {{i * 500_000}}}"""));
        return $$"""{"level": "district", "indicator": "pobreza_pct", "rules": [{{string.Join(", ", rules)}}]}""";
    }

    [GlobalSetup]
    public void Setup()
    {
        var snapshot = PeruAggregationData.Load();
        _index = snapshot.Targeting;
        _naive = new NaiveTargeting(snapshot);
        _oneRule = new TargetingQuery(AdminLevel.District, TargetingScope.Country, "pobreza_pct", [TargetingRule.AtThreshold("poorest", 50)]);
        _hundredRulesBody = Encoding.UTF8.GetBytes(HundredRulesJson());
        _hundredRules = TargetingRequestReader.ReadTargeting(_hundredRulesBody, new TargetingReadOptions());
        _allocation = TargetingRequestReader.ReadAllocation(Encoding.UTF8.GetBytes("""
            {"budget": 1000000000, "level": "district",
             "formulas": ["population", "poor", "extremePoor", "equal", {"name": "70/30", "weights": {"poor": 0.7, "population": 0.3}}]}
            """), new TargetingReadOptions());
    }

    [Benchmark(Baseline = true), BenchmarkCategory("OneRule")]
    public double OneRuleNaive() => _naive.Evaluate(50, -1).Coverage;

    [Benchmark, BenchmarkCategory("OneRule")]
    public TargetingResult OneRule() => TargetingEngine.Evaluate(_index, _oneRule);

    [Benchmark(Baseline = true), BenchmarkCategory("HundredRules")]
    public double HundredRulesNaive()
    {
        var sum = 0.0;
        for (var i = 0; i < 40; i++)
        {
            sum += _naive.Evaluate(i * 2.5, -1).Coverage;
        }

        // The naive form has no budget walk; top-N stands in for the 60 other rules, which flatters it.
        for (var i = 1; i <= 60; i++)
        {
            sum += _naive.Evaluate(0, i * 25).Coverage;
        }

        return sum;
    }

    [Benchmark, BenchmarkCategory("HundredRules")]
    public TargetingResult HundredRules() => TargetingEngine.Evaluate(_index, _hundredRules);

    [Benchmark, BenchmarkCategory("HundredRules")]
    public async Task HundredRulesRequest()
    {
        var query = TargetingRequestReader.ReadTargeting(_hundredRulesBody, new TargetingReadOptions());
        var result = TargetingEngine.Evaluate(_index, query);
        var context = new DefaultHttpContext();
        context.Response.Body = Stream.Null;
        await new TargetingJsonResult(result, withSelected: true).ExecuteAsync(context);
    }

    [Benchmark, BenchmarkCategory("Allocation")]
    public AllocationResult AllocationFiveFormulasDistricts() => BudgetAllocator.Allocate(_index, _allocation);
}
