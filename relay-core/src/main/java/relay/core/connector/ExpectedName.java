package relay.core.connector;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A name an upstream's certificate must carry for {@link TlsMode#VERIFY}: a DNS host name
 * ({@code mx.partner.example}) or a wildcard over one label ({@code *.mail.protection.outlook.com}),
 * compared with the names the certificate presents by the rules of RFC 6125 §6.4.3.
 *
 * <p>Rules, for configured and presented names alike: ASCII only, compared case-insensitively
 * (internationalised names are written and compared as A-labels, {@code xn--...}, never converted);
 * a trailing dot is ignored; a wildcard is only a whole leftmost label ({@code *.example.com}),
 * stands for exactly one label (never across a dot, never the empty label) and needs at least two
 * labels after it ({@code *.com} is refused). Partial-label wildcards ({@code w*.example.com},
 * {@code *w.example.com}) are refused when configured and never match when presented: RFC 6125
 * allows a client to accept them, and refusing is the safer reading.
 *
 * <p>Invariant: {@link #text()} is lower case, without a trailing dot, and valid by the rules above.
 * Immutable.
 */
public record ExpectedName(String text) {

  private static final String LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
  private static final Pattern HOST = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
  private static final Pattern WILDCARD = Pattern.compile("\\*\\." + LABEL + "(?:\\." + LABEL + ")+");

  public ExpectedName {
    Objects.requireNonNull(text, "text");
    text = normalise(text);
    if (!HOST.matcher(text).matches() && !WILDCARD.matcher(text).matches()) {
      throw new IllegalArgumentException(problem(text));
    }
  }

  /** Reads a configured name; the exception's message says what is wrong with it. */
  public static ExpectedName of(String text) {
    return new ExpectedName(text);
  }

  public boolean isWildcard() {
    return text.startsWith("*.");
  }

  /**
   * Whether a DNS name presented by a certificate (a SAN dNSName, or the CN when there is none)
   * satisfies this expected name. Either side may be a one-label wildcard.
   */
  public boolean matches(String presented) {
    String name = normalise(presented);
    boolean presentedWildcard = WILDCARD.matcher(name).matches();
    if (!presentedWildcard && !HOST.matcher(name).matches()) {
      // partial-label wildcards, non-ASCII text, empty labels: never a match
      return false;
    }
    if (presentedWildcard && isWildcard()) {
      return name.equals(text);
    }
    if (presentedWildcard) {
      return coveredBy(text, name);
    }
    if (isWildcard()) {
      return coveredBy(name, text);
    }
    return name.equals(text);
  }

  @Override
  public String toString() {
    return text;
  }

  /** Whether a plain host name is one label in front of the wildcard's suffix. */
  private static boolean coveredBy(String host, String wildcard) {
    String suffix = wildcard.substring(1);
    return host.endsWith(suffix) && host.length() > suffix.length()
        && host.lastIndexOf('.', host.length() - suffix.length() - 1) < 0;
  }

  private static String normalise(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }

  private static String problem(String text) {
    if (text.isEmpty()) {
      return "empty name";
    }
    if (!text.chars().allMatch(c -> c < 0x80)) {
      return "'" + text + "' is not ASCII: write an internationalised name as its A-label (xn--...)";
    }
    if (text.indexOf('*') >= 0) {
      return "'" + text + "' is not a wildcard name: '*' may only be the whole leftmost label, "
          + "followed by at least two labels (e.g. *.mail.protection.outlook.com)";
    }
    return "'" + text + "' is not a host name";
  }
}
