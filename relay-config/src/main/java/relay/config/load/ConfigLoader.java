package relay.config.load;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import relay.config.model.RelayConfig;

/**
 * Reads Relay's configuration: the embedded default {@value #DEFAULTS} with the operator's HOCON
 * file (if any) layered over it, substitutions resolved against the given environment only (never
 * the process environment, so tests and {@code check-config} are reproducible), then bound and
 * validated.
 *
 * <p>Lists replace rather than merge, so each listener, inbound and outbound connector, domain and
 * rule in a file is complete in itself (optional keys take the defaults documented in
 * {@value #DEFAULTS}). {@code include "other.conf"} works relative to the including file, and
 * problems in an included file name that file and line. Besides {@code relay}, a file may hold a
 * top-level {@code vars} object of its own values for substitutions (e.g. a default that an
 * environment variable overrides: {@code host = "a", host = ${?HOST}}); it is never bound.
 *
 * <p>Stateless and thread-safe; loading touches only the named file and the class path.
 */
public final class ConfigLoader {

  /** Class-path resource holding the embedded default, every key documented. */
  public static final String DEFAULTS = "relay-defaults.conf";

  private static final String ROOT = "relay";
  /** The operator's own values for substitutions ({@code ${vars.partner-host}}); never bound. */
  private static final String VARS = "vars";

  private ConfigLoader() {}

  /**
   * Loads and validates the configuration.
   *
   * @param file the operator's HOCON file, or empty to run on the embedded default
   * @param environment variables for {@code ${?NAME}} substitutions and {@code RELAY_HOME}
   * @return the bound configuration
   * @throws InvalidConfigException with every problem found, each with file, line and path
   */
  public static RelayConfig load(Optional<Path> file, Map<String, String> environment) {
    return load(file, environment, false);
  }

  /**
   * Loads and validates the configuration, optionally also trying to bind each listener's port so
   * that one already in use is reported with its file and line (for {@code check-config} and
   * start-up; tests and reloads leave it off).
   *
   * @param probePorts whether to try binding each listener's address and port
   * @throws InvalidConfigException with every problem found, each with file, line and path
   */
  public static RelayConfig load(Optional<Path> file, Map<String, String> environment, boolean probePorts) {
    return load(file, environment, probePorts, true);
  }

  /**
   * Loads and validates the configuration for a tool that reads its routing only ({@code relay
   * route}): secret references need not resolve (an unset {@code env:} variable is no problem;
   * its secret stands for itself), and ports are not probed. Everything else is checked as usual.
   */
  public static RelayConfig loadForRouting(Optional<Path> file, Map<String, String> environment) {
    return load(file, environment, false, false);
  }

  private static RelayConfig load(Optional<Path> file, Map<String, String> environment, boolean probePorts,
      boolean secretsNeeded) {
    Problems problems = new Problems();
    Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS,
        ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    Config user = file.map(f -> parse(f, problems)).orElse(ConfigFactory.empty());
    failIfAny(problems);
    for (Map.Entry<String, ConfigValue> e : user.root().entrySet()) {
      if (!ROOT.equals(e.getKey()) && !VARS.equals(e.getKey())) {
        problems.add(e.getValue().origin(), e.getKey(), "unknown key",
            NearestKey.among(e.getKey(), List.of(ROOT, VARS)).map(k -> "did you mean '" + k + "'?")
                .orElse("only 'relay' and 'vars' are known"));
      }
    }
    int beforeResolving = problems.count();
    Config resolved = resolve(user.withFallback(defaults), environment, problems);
    if (problems.count() > beforeResolving) {
      failIfAny(problems); // an unresolved substitution leaves no tree to bind
    }
    ConfigValue relay = resolved.root().get(ROOT);
    Optional<RelayConfig> config = Section.of(relay, ROOT, problems)
        .flatMap(new RelayBinder(environment, probePorts, secretsNeeded)::bind);
    failIfAny(problems);
    return config.orElseThrow(() -> new IllegalStateException("binding failed without a recorded problem"));
  }

  private static Config parse(Path file, Problems problems) {
    if (!Files.isRegularFile(file)) {
      problems.add(new ConfigProblem(file.toString(), -1, "", "no such file", ""));
      return ConfigFactory.empty();
    }
    try {
      return ConfigFactory.parseFile(file.toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    } catch (ConfigException e) {
      ConfigProblem problem = fromException(e, file.toString());
      problems.add(problem.line() > 0 ? problem : missingInclude(file, problem));
      return ConfigFactory.empty();
    }
  }

  /**
   * Typesafe reports a missing {@code include required(...)} against the missing name, without a
   * line, and speaks of the class path; point at the include line of the file instead.
   */
  private static ConfigProblem missingInclude(Path file, ConfigProblem problem) {
    String name = problem.file();
    try {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("include") && lines.get(i).contains("\"" + name + "\"")) {
          return new ConfigProblem(file.toString(), i + 1, "", "included file '" + name + "' was not found",
              "a relative include resolves against the including file's directory");
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // keep Typesafe's own report
    }
    return problem;
  }

  private static Config resolve(Config merged, Map<String, String> environment, Problems problems) {
    Map<String, String> variables = new HashMap<>(environment);
    // a variable named like a top-level key would shadow it during resolution
    variables.remove(ROOT);
    variables.remove(VARS);
    Config env = ConfigValueFactory.fromMap(variables, Section.ENVIRONMENT).toConfig();
    try {
      return merged.withFallback(env).resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    } catch (ConfigException e) {
      problems.add(fromException(e, DEFAULTS));
      return ConfigFactory.empty();
    }
  }

  /** Typesafe prefixes its messages with the origin description; the problem carries that separately. */
  private static ConfigProblem fromException(ConfigException e, String fallbackFile) {
    ConfigOrigin origin = e.origin();
    String message = e.getMessage();
    if (origin == null) {
      return new ConfigProblem(fallbackFile, -1, "", message, "");
    }
    String prefix = origin.description() + ": ";
    if (message.startsWith(prefix)) {
      message = message.substring(prefix.length());
    }
    Place place = Place.of(origin);
    return new ConfigProblem(place.file(), place.line(), "", message, "");
  }

  private static void failIfAny(Problems problems) {
    if (problems.count() > 0) {
      throw new InvalidConfigException(problems.sorted());
    }
  }
}
