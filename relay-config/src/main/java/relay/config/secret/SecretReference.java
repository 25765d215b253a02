package relay.config.secret;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a secret is written in the configuration. A closed set: {@code env:NAME} names an environment
 * variable, {@code file:/path} a file holding the secret (a container or systemd credential), and
 * anything else is the secret itself, which is refused unless the operator allowed literal secrets.
 *
 * <p>Immutable. {@link Literal#toString()} never shows its text.
 */
public sealed interface SecretReference {

  String ENV = "env:";
  String FILE = "file:";

  /** Reads the written form; never fails (a malformed reference is a literal that looks odd). */
  static SecretReference parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.startsWith(ENV)) {
      return new Environment(text.substring(ENV.length()).strip());
    }
    if (text.startsWith(FILE)) {
      return new SecretFile(Path.of(text.substring(FILE.length()).strip()));
    }
    return new Literal(text);
  }

  /** {@code env:NAME}. */
  record Environment(String variable) implements SecretReference {
    public Environment {
      Objects.requireNonNull(variable, "variable");
    }

    @Override
    public String toString() {
      return ENV + variable;
    }
  }

  /** {@code file:/run/secrets/name}; relative paths resolve against the data directory. */
  record SecretFile(Path path) implements SecretReference {
    public SecretFile {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
      return FILE + path;
    }
  }

  /** The secret written in the file itself. */
  record Literal(String text) implements SecretReference {
    public Literal {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
      return "literal";
    }
  }
}
