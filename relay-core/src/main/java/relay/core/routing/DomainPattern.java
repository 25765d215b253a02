package relay.core.routing;

import java.util.Locale;
import java.util.Objects;
import relay.core.envelope.Domain;

/**
 * A pattern over recipient or sender domains, as written in accepted domains, remote domains and
 * outbound connectors: an exact name ({@code contoso.com}), the sub-domains of a name
 * ({@code *.contoso.com}) or any domain ({@code *}).
 *
 * <p>Decision: {@code *.contoso.com} matches sub-domains only ({@code mail.contoso.com},
 * {@code a.b.contoso.com}), never the apex {@code contoso.com}. Writing both entries makes the intent
 * visible in the configuration, and it is how a glob over the name reads; an implicit apex would make
 * the most-specific-match rule ambiguous between the two forms.
 *
 * <p>Invariant: {@code suffix} is lower-case, non-empty and free of {@code *} for EXACT and
 * SUBDOMAINS, and empty for ANY. Immutable and thread-safe.
 */
public record DomainPattern(Kind kind, String suffix) {

  /** The three forms a pattern can take. */
  public enum Kind {
    EXACT,
    SUBDOMAINS,
    ANY
  }

  /** The pattern {@code *}, which matches every domain (and address literals). */
  public static final DomainPattern ANY = new DomainPattern(Kind.ANY, "");

  /** Exact patterns outrank every wildcard, whatever the number of labels. */
  private static final int EXACT_BONUS = 1000;

  public DomainPattern {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(suffix, "suffix");
    if (kind == Kind.ANY != suffix.isEmpty()) {
      throw new IllegalArgumentException("only the pattern '*' has an empty suffix");
    }
    if (suffix.indexOf('*') >= 0 || suffix.startsWith(".") || suffix.endsWith(".")) {
      throw new IllegalArgumentException("invalid domain pattern suffix: '" + suffix + "'");
    }
    suffix = suffix.toLowerCase(Locale.ROOT);
  }

  /** Parses {@code *}, {@code *.name} or {@code name}; throws IllegalArgumentException otherwise. */
  public static DomainPattern parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    if (s.equals("*")) {
      return ANY;
    }
    if (s.startsWith("*.")) {
      return new DomainPattern(Kind.SUBDOMAINS, new Domain(s.substring(2)).name());
    }
    if (s.isEmpty() || s.indexOf('*') >= 0) {
      throw new IllegalArgumentException(
          "invalid domain pattern '" + text + "': use a name, '*.name' or '*'");
    }
    return new DomainPattern(Kind.EXACT, new Domain(s).name());
  }

  /** True when the domain falls under this pattern. */
  public boolean matches(Domain domain) {
    return switch (kind) {
      case ANY -> true;
      case EXACT -> domain.name().equals(suffix);
      case SUBDOMAINS -> domain.name().endsWith("." + suffix);
    };
  }

  /**
   * How specific the pattern is; among patterns matching one domain the highest wins. Exact beats
   * any wildcard, a longer {@code *.} suffix beats a shorter one, and {@code *} is lowest (0).
   */
  public int specificity() {
    return switch (kind) {
      case ANY -> 0;
      case SUBDOMAINS -> labels();
      case EXACT -> EXACT_BONUS + labels();
    };
  }

  private int labels() {
    return (int) suffix.chars().filter(c -> c == '.').count() + 1;
  }

  /** The pattern as written in configuration. */
  @Override
  public String toString() {
    return switch (kind) {
      case ANY -> "*";
      case EXACT -> suffix;
      case SUBDOMAINS -> "*." + suffix;
    };
  }
}
