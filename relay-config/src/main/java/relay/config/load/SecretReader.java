package relay.config.load;

import com.typesafe.config.ConfigValueType;
import java.util.Optional;
import relay.core.connector.Secret;
import relay.config.secret.SecretReference;
import relay.config.secret.SecretResolver;

/**
 * The one call a binder makes for a key that holds a secret: {@code secrets.read(section, "client-secret")}.
 * Reads the value as a reference, resolves it and records a problem at the value's file and line when
 * it cannot, without ever putting the value into the problem.
 *
 * <p>Not thread-safe (it records into the load's problems); one per load.
 */
final class SecretReader {

  private final SecretResolver resolver;

  SecretReader(SecretResolver resolver) {
    this.resolver = resolver;
  }

  /** The secret, or empty when the key is absent (no problem) or unusable (problem recorded). */
  Optional<Secret> read(Section s, String key) {
    return s.value(key).flatMap(v -> {
      if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
        // the value itself is not quoted: it may be the secret
        s.problem(key, "expected a secret reference in double quotes", "write \"env:NAME\" or \"file:/path\"");
        return Optional.empty();
      }
      boolean fromEnvironment = Section.ENVIRONMENT.equals(v.origin().description());
      SecretReference reference = SecretReference.parse(((String) v.unwrapped()).strip());
      return switch (resolver.resolve(reference, fromEnvironment)) {
        case SecretResolver.Resolution.Resolved r -> Optional.of(r.secret());
        case SecretResolver.Resolution.Failed f -> {
          s.problem(key, f.message(), f.hint());
          yield Optional.empty();
        }
      };
    });
  }
}
