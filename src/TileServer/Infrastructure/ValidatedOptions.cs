using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace TileServer.Infrastructure;

/// <summary>
/// How every configuration section is registered: bound from its section, checked by the options' own
/// <c>Validate()</c> (plus, for data files, <see cref="FileProblems"/>) through one generic
/// <see cref="IValidateOptions{TOptions}"/>, and validated when the host starts, so that <c>serve</c> and the offline
/// commands stop on the same one-line errors.
/// </summary>
internal static class ValidatedOptions
{
    /// <param name="problems">The options' problems, one message each naming the key; empty when valid.</param>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IHostApplicationBuilder builder, string sectionName, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ProblemList<TOptions>(problems));
        return builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(sectionName))
            .ValidateOnStart();
    }

    /// <summary>
    /// A configuration key that was renamed: the old key still sets the option when the new one is not given, and a
    /// warning in the log names the new key; when both are given the new one wins and the warning says the old one is
    /// ignored. Deployments keep working while they move to the new name.
    /// </summary>
    public static OptionsBuilder<TOptions> AcceptRenamedKey<TOptions>(
        this OptionsBuilder<TOptions> options, IConfiguration configuration, string oldKey, string newKey)
        where TOptions : class
    {
        var section = newKey[..newKey.LastIndexOf(':')];
        // Options are bound once per cache (IOptions, IOptionsMonitor, each IOptionsSnapshot scope): warn once per host.
        var warned = 0;
        return options.Configure<ILoggerFactory>((value, loggers) =>
        {
            if (configuration[oldKey] is not { } oldValue)
            {
                return;
            }

            var logger = Interlocked.Exchange(ref warned, 1) == 0 ? loggers.CreateLogger(typeof(ValidatedOptions)) : NullLogger.Instance;
            if (configuration[newKey] is not null)
            {
                logger.LogWarning("Configuration key {OldKey} is deprecated and ignored: {NewKey} is set too; remove the old key", oldKey, newKey);
                return;
            }

            logger.LogWarning("Configuration key {OldKey} is deprecated: set {NewKey} instead (its value {Value} is applied)", oldKey, newKey, oldValue);
            try
            {
                new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(newKey, oldValue)]).Build()
                    .GetSection(section).Bind(value);
            }
            catch (InvalidOperationException e)
            {
                throw new OptionsValidationException(section, typeof(TOptions), [$"{oldKey} (now {newKey}): {e.Message}"]);
            }
        });
    }

    /// <summary>
    /// The section's values for wiring done while the host is being built (Kestrel's limits, the shutdown timeout, the
    /// listen addresses), before validation runs: the defaults when a value is invalid or cannot be converted, since
    /// start-up then stops on that value's one-line error anyway (<c>InvalidConfiguration</c>).
    /// </summary>
    public static TOptions ValuesOrDefaults<TOptions>(this IConfiguration configuration, string sectionName, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class, new()
    {
        try
        {
            var options = configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();
            return problems(options).Any() ? new TOptions() : options;
        }
        catch (InvalidOperationException)
        {
            return new TOptions();
        }
    }

    /// <summary>Why the data file a key names cannot be used (missing, unreadable), or nothing; an empty path is left to <c>Validate()</c>.</summary>
    public static IEnumerable<string> FileProblems(string key, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            yield break;
        }

        if (!File.Exists(path))
        {
            yield return $"{key}: file not found: {path}";
            yield break;
        }

        string? unreadable = null;
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unreadable = $"{key}: cannot read {path}: {e.Message}";
        }

        if (unreadable is not null)
        {
            yield return unreadable;
        }
    }

    /// <summary>The one adapter from an options type's list of problems to <see cref="IValidateOptions{TOptions}"/>.</summary>
    private sealed class ProblemList<TOptions>(Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var errors = problems(options).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
