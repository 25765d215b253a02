package relay.config.load;

import com.typesafe.config.ConfigOrigin;
import java.util.Optional;
import relay.core.routing.DomainPattern;
import relay.core.routing.rule.ValuePattern;

/**
 * Parses the patterns of routing configuration, turning the domain types' exceptions into problems
 * at the value's file and line.
 */
final class Patterns {

  private Patterns() {}

  /** {@code *}, {@code *.name} or {@code name}. */
  static Optional<DomainPattern> domain(String text, ConfigOrigin origin, String path, Problems problems) {
    try {
      return Optional.of(DomainPattern.parse(text));
    } catch (IllegalArgumentException e) {
      problems.add(origin, path, "'" + text + "' is not a domain pattern", "a name, *.name or *");
      return Optional.empty();
    }
  }

  /** An exact value, a glob with {@code *} and {@code ?}, or {@code regex:EXPR}. */
  static Optional<ValuePattern> value(String text, ConfigOrigin origin, String path, Problems problems) {
    try {
      return Optional.of(ValuePattern.parse(text));
    } catch (IllegalArgumentException e) {
      problems.add(origin, path, e.getMessage(), "a Java regular expression, e.g. regex:.*@(sales|hr)\\.contoso\\.com");
      return Optional.empty();
    }
  }

  /** A regular expression found anywhere in a header or the subject. */
  static Optional<ValuePattern.Regex> regex(String text, ConfigOrigin origin, String path, Problems problems) {
    try {
      return Optional.of(new ValuePattern.Regex(text));
    } catch (IllegalArgumentException e) {
      problems.add(origin, path, e.getMessage(), "a Java regular expression, e.g. (?i)urgent|asap");
      return Optional.empty();
    }
  }
}
