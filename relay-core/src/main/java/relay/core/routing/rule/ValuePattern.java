package relay.core.routing.rule;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern over a whole address or domain in a rule condition, always case-insensitive.
 *
 * <p>Syntax (see {@link #parse}): {@code regex:EXPR} is a Java regular expression that must match
 * the whole value; text containing {@code *} (any run of characters, also none) or {@code ?} (one
 * character) is a glob over the whole value; anything else is compared exactly. So
 * {@code *@contoso.com} matches every address in contoso.com, and as a domain pattern
 * {@code *.contoso.com} matches sub-domains but not contoso.com itself, like
 * {@link relay.core.routing.DomainPattern}.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface ValuePattern {

  String REGEX_PREFIX = "regex:";

  boolean matches(String value);

  /** Parses a pattern as written in configuration; a bad regex throws IllegalArgumentException. */
  static ValuePattern parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.startsWith(REGEX_PREFIX)) {
      return new Regex(text.substring(REGEX_PREFIX.length()));
    }
    if (text.indexOf('*') >= 0 || text.indexOf('?') >= 0) {
      return new Glob(text);
    }
    return new Exact(text);
  }

  /** Equal to the value, ignoring case. */
  record Exact(String text) implements ValuePattern {
    public Exact {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public boolean matches(String value) {
      return fold(text).equals(fold(value));
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** {@code *} and {@code ?} wildcards over the whole value, ignoring case. */
  record Glob(String glob) implements ValuePattern {
    public Glob {
      Objects.requireNonNull(glob, "glob");
    }

    @Override
    public boolean matches(String value) {
      String p = fold(glob);
      String v = fold(value);
      // Greedy scan with one backtrack point: the last '*' seen; linear for typical patterns.
      int pi = 0;
      int vi = 0;
      int star = -1;
      int resume = 0;
      while (vi < v.length()) {
        if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == v.charAt(vi))) {
          pi++;
          vi++;
        } else if (pi < p.length() && p.charAt(pi) == '*') {
          star = pi++;
          resume = vi;
        } else if (star >= 0) {
          pi = star + 1;
          vi = ++resume;
        } else {
          return false;
        }
      }
      while (pi < p.length() && p.charAt(pi) == '*') {
        pi++;
      }
      return pi == p.length();
    }

    @Override
    public String toString() {
      return glob;
    }
  }

  /**
   * A regular expression compiled case-insensitively. As an address or domain pattern it must match
   * the whole value; in header and subject conditions it may match anywhere ({@link #find}).
   */
  record Regex(String expression, Pattern compiled) implements ValuePattern {
    public Regex {
      Objects.requireNonNull(expression, "expression");
      compiled = compile(expression); // always derived, so equal expressions behave equally
    }

    public Regex(String expression) {
      this(expression, null);
    }

    static Pattern compile(String expression) {
      try {
        return Pattern.compile(expression, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("invalid regular expression '" + expression + "': "
            + e.getDescription(), e);
      }
    }

    @Override
    public boolean matches(String value) {
      return compiled.matcher(value).matches();
    }

    /** True when the expression matches somewhere in the text. */
    public boolean find(String text) {
      return compiled.matcher(text).find();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Regex r && r.expression.equals(expression);
    }

    @Override
    public int hashCode() {
      return expression.hashCode();
    }

    @Override
    public String toString() {
      return REGEX_PREFIX + expression;
    }
  }

  private static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
