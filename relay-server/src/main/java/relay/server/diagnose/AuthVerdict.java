package relay.server.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One authentication result of a message: a method ({@code spf}, {@code dkim}, {@code dmarc},
 * {@code arc}, Microsoft's {@code compauth}...) and its result, as an {@code Authentication-Results}
 * field (RFC 8601), an {@code ARC-Authentication-Results} (RFC 8617, after its {@code i=}), a
 * {@code Received-SPF} (RFC 7208 section 9.1) or an {@code ARC-Seal}'s chain validation
 * ({@code cv=}) states it. Immutable.
 *
 * @param field the header field it came from
 * @param authority who checked (the authserv-id, with the ARC instance), or null
 * @param method the method, lower case
 * @param result the result, lower case
 * @param properties the rest (smtp.mailfrom=..., header.d=..., reason=...), comments removed
 */
public record AuthVerdict(String field, String authority, String method, String result, String properties) {

  private static final Set<String> FAILURES = Set.of("fail", "softfail", "permerror", "temperror");
  private static final Pattern RESULT = Pattern.compile("\\s*([A-Za-z][\\w.-]*)\\s*=\\s*([\\w-]+)\\s*(.*)", Pattern.DOTALL);
  private static final Pattern INSTANCE = Pattern.compile("(?i)\\s*i\\s*=\\s*(\\d+)\\s*");

  /** Whether the result is a failure worth a warning. */
  public boolean failed() {
    return FAILURES.contains(result);
  }

  /** The results an {@code Authentication-Results} or {@code ARC-Authentication-Results} value states. */
  public static List<AuthVerdict> parseResults(String field, String value) {
    List<String> parts = split(MailDateText.withoutComments(value));
    List<AuthVerdict> out = new ArrayList<>();
    if (parts.isEmpty()) {
      return out;
    }
    String authority = parts.getFirst().strip();
    int first = 1;
    Matcher instance = INSTANCE.matcher(authority);
    if (instance.matches() && parts.size() > 1) {
      authority = parts.get(1).strip() + " (ARC i=" + instance.group(1) + ")";
      first = 2;
    }
    for (String part : parts.subList(first, parts.size())) {
      Matcher m = RESULT.matcher(part);
      if (m.matches()) {
        out.add(new AuthVerdict(field, authority, m.group(1).toLowerCase(Locale.ROOT),
            m.group(2).toLowerCase(Locale.ROOT), m.group(3).strip().replaceAll("\\s+", " ")));
      }
    }
    return out;
  }

  /** The SPF result a {@code Received-SPF} value states: its first word; the comment names the checker. */
  public static AuthVerdict parseReceivedSpf(String value) {
    String result = value.strip().split("[\\s(;]", 2)[0].toLowerCase(Locale.ROOT);
    String rest = MailDateText.withoutComments(value.strip().substring(result.length())).strip().replaceAll("\\s+", " ");
    return new AuthVerdict("Received-SPF", null, "spf", result, rest);
  }

  /** The chain validation an {@code ARC-Seal} value states ({@code cv=none|pass|fail}), or null. */
  public static AuthVerdict parseArcSeal(String value) {
    String instance = null;
    String domain = null;
    String cv = null;
    for (String tag : value.split(";")) {
      String[] kv = tag.strip().split("=", 2);
      if (kv.length == 2) {
        switch (kv[0].strip().toLowerCase(Locale.ROOT)) {
          case "i" -> instance = kv[1].strip();
          case "d" -> domain = kv[1].strip();
          case "cv" -> cv = kv[1].strip().toLowerCase(Locale.ROOT);
          default -> { }
        }
      }
    }
    return cv == null ? null : new AuthVerdict("ARC-Seal", domain + " (ARC i=" + instance + ")", "arc-cv", cv, "");
  }

  /** Splits on semicolons outside quoted strings. */
  private static List<String> split(String value) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ';' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.isEmpty()) {
      parts.add(current.toString());
    }
    return parts.stream().filter(p -> !p.isBlank()).toList();
  }
}
