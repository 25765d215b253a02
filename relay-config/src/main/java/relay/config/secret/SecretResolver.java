package relay.config.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import relay.core.connector.Secret;

/**
 * Turns a {@link SecretReference} into a {@link Secret} at load time: {@code env:NAME} against the
 * injected environment (never the process environment directly, so tests and {@code check-config}
 * are reproducible), {@code file:} by reading the file (trailing line breaks removed, as files
 * written by editors and {@code echo} end with one), literals only when allowed.
 *
 * <p>Failure messages name the reference but never a value. Stateless apart from its inputs;
 * thread-safe.
 */
public final class SecretResolver {

  /** The value a reference stands for when values are not needed and it cannot be resolved here. */
  public static final String UNRESOLVED = "(not resolved)";

  private final Map<String, String> environment;
  private final Path home;
  private final boolean allowLiterals;
  private final boolean valuesNeeded;

  /** Resolves every reference to its value; one that cannot be resolved is a problem. */
  public SecretResolver(Map<String, String> environment, Path home, boolean allowLiterals) {
    this(environment, home, allowLiterals, true);
  }

  /**
   * @param environment the variables {@code env:} references are resolved against
   * @param home the data directory, against which relative {@code file:} paths resolve
   * @param allowLiterals whether a secret may be written in the file itself
   *     ({@code relay.allow-literal-secrets})
   * @param valuesNeeded false for tools that only read the configuration's shape (such as {@code
   *     relay route}): an {@code env:} or {@code file:} reference whose value is not at hand then
   *     stands for itself ({@link #UNRESOLVED}) instead of being a problem
   */
  public SecretResolver(Map<String, String> environment, Path home, boolean allowLiterals, boolean valuesNeeded) {
    this.environment = Map.copyOf(environment);
    this.home = Objects.requireNonNull(home, "home");
    this.allowLiterals = allowLiterals;
    this.valuesNeeded = valuesNeeded;
  }


  /** The outcome of resolving one reference. A closed set. */
  public sealed interface Resolution {
    /** The secret was found. */
    record Resolved(Secret secret) implements Resolution {}

    /** It was not; {@code message} and {@code hint} are safe to show (they hold no secret). */
    record Failed(String message, String hint) implements Resolution {}
  }

  /**
   * Resolves the reference.
   *
   * @param fromEnvironment true when the whole value was substituted from the environment with
   *     {@code ${?NAME}}: it is then not written in the file, so it is accepted as a literal
   */
  public Resolution resolve(SecretReference reference, boolean fromEnvironment) {
    return switch (reference) {
      case SecretReference.Environment e -> environment(e);
      case SecretReference.SecretFile f -> file(f);
      case SecretReference.Literal l -> literal(l, fromEnvironment);
    };
  }

  private Resolution environment(SecretReference.Environment e) {
    if (!e.variable().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return new Resolution.Failed("'" + e + "' does not name an environment variable", "e.g. env:M365_CLIENT_SECRET");
    }
    String value = environment.get(e.variable());
    if ((value == null || value.isEmpty()) && !valuesNeeded) {
      return new Resolution.Resolved(new Secret(e.toString(), UNRESOLVED));
    }
    if (value == null || value.isEmpty()) {
      return new Resolution.Failed("environment variable " + e.variable() + " is not set",
          "set it in the service's environment, or use file:/path");
    }
    return new Resolution.Resolved(new Secret(e.toString(), value));
  }

  private Resolution file(SecretReference.SecretFile f) {
    Path path = home.resolve(f.path());
    String value;
    try {
      value = Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException | RuntimeException e) {
      if (!valuesNeeded) {
        return new Resolution.Resolved(new Secret(SecretReference.FILE + path, UNRESOLVED));
      }
      return new Resolution.Failed("cannot read secret file " + path + " (" + e.getClass().getSimpleName() + ")",
          "the file must exist and be readable by the relay's user");
    }
    if (value.isEmpty()) {
      if (!valuesNeeded) {
        return new Resolution.Resolved(new Secret(SecretReference.FILE + path, UNRESOLVED));
      }
      return new Resolution.Failed("secret file " + path + " is empty", "");
    }
    return new Resolution.Resolved(new Secret(SecretReference.FILE + path, value));
  }

  private Resolution literal(SecretReference.Literal l, boolean fromEnvironment) {
    if (fromEnvironment) {
      return new Resolution.Resolved(new Secret("environment substitution", l.text()));
    }
    if (allowLiterals) {
      return new Resolution.Resolved(new Secret("literal", l.text()));
    }
    return new Resolution.Failed("a secret written in the file is not allowed",
        "write env:NAME or file:/path, or set relay.allow-literal-secrets = true");
  }
}
