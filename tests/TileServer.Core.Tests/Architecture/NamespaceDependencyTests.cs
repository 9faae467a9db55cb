using System.Reflection;
using System.Reflection.Emit;
using TileServer.Core.Dataset;

namespace TileServer.Core.Tests.Architecture;

/// <summary>
/// The namespaces of TileServer.Core depend on each other without cycles: the model at the bottom, the capabilities
/// above it, the dataset loader on top. Dependencies are read from the compiled assembly (signatures, fields, base
/// types, and every type, method and field token in method bodies, lambdas and iterators included), not from
/// <c>using</c> lines, so a fully qualified reference counts too.
/// </summary>
public class NamespaceDependencyTests
{
    private static readonly Assembly Core = typeof(DatasetLoader).Assembly;

    [Fact]
    public void Core_namespaces_form_no_cycle()
    {
        var graph = DependencyGraph(Core);

        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, "namespace cycles in TileServer.Core: " + string.Join("; ", cycles.Select(c =>
            string.Join(", ", c.SelectMany(from => graph[from].Where(e => c.Contains(e.Key)).Select(e => $"{Short(from)} -> {Short(e.Key)} ({e.Value})"))))));
    }

    [Fact]
    public void The_model_depends_on_no_capability()
    {
        var graph = DependencyGraph(Core);

        Assert.Empty(graph.GetValueOrDefault("TileServer.Core.Model", []).Keys);
    }

    [Fact]
    public void The_reader_finds_a_dependency_only_a_method_body_names()
    {
        // The loader's body calls the district joiner; nothing in the loader's signatures names the Join namespace's
        // DistrictJoiner, so this pins that method bodies (and the lambdas they contain) are read.
        var graph = DependencyGraph(Core);

        Assert.Contains("TileServer.Core.Join", graph["TileServer.Core.Dataset"].Keys);
        Assert.Contains("TileServer.Core.Coverage", graph["TileServer.Core.Admin"].Keys);
    }

    [Fact]
    public void A_cycle_is_reported()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "a" },
            ["B"] = new() { ["C"] = "b" },
            ["C"] = new() { ["A"] = "c" },
            ["D"] = new() { ["A"] = "d" },
        };

        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();

        Assert.Equal(["A", "B", "C"], Assert.Single(cycles).Order(StringComparer.Ordinal));
    }

    private static string Short(string ns) => ns.Replace("TileServer.Core.", string.Empty, StringComparison.Ordinal);

    /// <summary>Namespace to namespace, with one example of the referencing and referenced type per edge.</summary>
    private static Dictionary<string, Dictionary<string, string>> DependencyGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from is null)
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                foreach (var leaf in Expand(used))
                {
                    if (leaf.Assembly != assembly || NamespaceOf(leaf) is not { } to || to == from)
                    {
                        continue;
                    }

                    if (!graph.TryGetValue(from, out var edges))
                    {
                        graph[from] = edges = new Dictionary<string, string>(StringComparer.Ordinal);
                    }

                    edges.TryAdd(to, $"{Outermost(type).Name} uses {Outermost(leaf).Name}");
                }
            }
        }

        return graph;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static string? NamespaceOf(Type type) => Outermost(type).Namespace is { } ns && ns.StartsWith("TileServer.Core", StringComparison.Ordinal) ? ns : null;

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!))
            {
                yield return t;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var t in Expand(argument))
                {
                    yield return t;
                }
            }

            type = type.GetGenericTypeDefinition();
        }

        yield return type;
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in BodyReferences(type, method))
            {
                yield return used;
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Types named by the tokens of a method body (calls, field accesses, casts, allocations, ldtoken).</summary>
    private static IEnumerable<Type> BodyReferences(Type type, MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            var value = (short)il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, position);
                    position += 4;
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        member = null;
                    }

                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case FieldInfo f:
                            yield return f.DeclaringType!;
                            yield return f.FieldType;
                            break;
                        case MethodBase m:
                            yield return m.DeclaringType!;
                            if (m is MethodInfo mi)
                            {
                                yield return mi.ReturnType;
                                foreach (var argument in mi.IsGenericMethod ? mi.GetGenericArguments() : [])
                                {
                                    yield return argument;
                                }
                            }

                            foreach (var parameter in m.GetParameters())
                            {
                                yield return parameter.ParameterType;
                            }

                            break;
                    }

                    break;
                case OperandType.InlineSwitch:
                    var targets = BitConverter.ToInt32(il, position);
                    position += 4 + (4 * targets);
                    break;
                default:
                    position += opCode.OperandType switch
                    {
                        OperandType.InlineNone => 0,
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        OperandType.InlineI8 or OperandType.InlineR => 8,
                        _ => 4,
                    };
                    break;
            }
        }
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var nodes = graph.Keys.Concat(graph.Values.SelectMany(e => e.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                result.Add(component);
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return result;
    }
}
