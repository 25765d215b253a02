package relay.server.dnscheck;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed SPF record (RFC 7208 section 4.6 and 5): its mechanisms in order, and its
 * {@code redirect} and {@code exp} modifiers. Parsing is strict where the RFC makes a mistake a
 * permerror (unknown mechanism, bad address or prefix, a modifier twice, a mechanism without its
 * required domain) and lenient where it says to ignore (unknown modifiers). Immutable.
 */
record SpfRecord(List<SpfTerm.Mechanism> mechanisms, Optional<String> redirect, Optional<String> explanation,
    List<String> unknownModifiers) {

  private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
  private static final Pattern MECHANISM =
      Pattern.compile("([+\\-~?]?)([A-Za-z0-9]+)(?::([^/]*))?(?:/(\\d+))?(?://(\\d+))?");
  // domain-spec: labels, macros (%{..}, %%, %_, %-) and a final label; the check is loose on purpose
  private static final Pattern DOMAIN_SPEC = Pattern.compile("[A-Za-z0-9._\\-%{}+=/]+");

  SpfRecord {
    mechanisms = List.copyOf(mechanisms);
    unknownModifiers = List.copyOf(unknownModifiers);
  }

  /** True for the TXT strings that are SPF records: "v=spf1" alone or followed by a space. */
  static boolean isSpf(String txt) {
    return txt.equalsIgnoreCase("v=spf1") || txt.regionMatches(true, 0, "v=spf1 ", 0, 7);
  }

  /** The parsed record, or an exception whose message says which term is wrong and why. */
  static SpfRecord parse(String txt) throws SpfSyntaxException {
    String[] terms = txt.strip().split(" +");
    List<SpfTerm.Mechanism> mechanisms = new ArrayList<>();
    String redirect = null;
    String exp = null;
    List<String> unknown = new ArrayList<>();
    for (int i = 1; i < terms.length; i++) {
      String term = terms[i];
      Matcher modifier = MODIFIER.matcher(term);
      if (modifier.matches()) {
        String name = modifier.group(1).toLowerCase(Locale.ROOT);
        String value = modifier.group(2);
        switch (name) {
          case "redirect" -> {
            if (redirect != null) {
              throw new SpfSyntaxException("redirect= appears twice");
            }
            redirect = domainSpec(term, value);
          }
          case "exp" -> {
            if (exp != null) {
              throw new SpfSyntaxException("exp= appears twice");
            }
            exp = domainSpec(term, value);
          }
          default -> unknown.add(term);
        }
        continue;
      }
      mechanisms.add(mechanism(term));
    }
    return new SpfRecord(mechanisms, Optional.ofNullable(redirect), Optional.ofNullable(exp), unknown);
  }

  private static SpfTerm.Mechanism mechanism(String term) throws SpfSyntaxException {
    Matcher m = MECHANISM.matcher(term);
    if (!m.matches()) {
      throw new SpfSyntaxException("'" + term + "' is not a valid mechanism or modifier");
    }
    SpfTerm.Qualifier qualifier = switch (m.group(1)) {
      case "-" -> SpfTerm.Qualifier.FAIL;
      case "~" -> SpfTerm.Qualifier.SOFTFAIL;
      case "?" -> SpfTerm.Qualifier.NEUTRAL;
      default -> SpfTerm.Qualifier.PASS;
    };
    SpfTerm.Kind kind;
    try {
      kind = SpfTerm.Kind.valueOf(m.group(2).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SpfSyntaxException("'" + term + "': unknown mechanism '" + m.group(2) + "'");
    }
    String argument = m.group(3);
    Integer c4 = m.group(4) == null ? null : Integer.valueOf(m.group(4));
    Integer c6 = m.group(5) == null ? null : Integer.valueOf(m.group(5));
    return switch (kind) {
      case ALL -> {
        if (argument != null || c4 != null || c6 != null) {
          throw new SpfSyntaxException("'" + term + "': all takes no argument");
        }
        yield new SpfTerm.Mechanism(qualifier, kind, null, null, 32, 128, term);
      }
      case INCLUDE, EXISTS -> {
        if (argument == null || c4 != null || c6 != null) {
          throw new SpfSyntaxException("'" + term + "': " + kind.name().toLowerCase(Locale.ROOT) + " needs :domain and no prefix");
        }
        yield new SpfTerm.Mechanism(qualifier, kind, domainSpec(term, argument), null, 32, 128, term);
      }
      case A, MX, PTR -> {
        if (kind == SpfTerm.Kind.PTR && (c4 != null || c6 != null)) {
          throw new SpfSyntaxException("'" + term + "': ptr takes no prefix length");
        }
        yield new SpfTerm.Mechanism(qualifier, kind, argument == null ? null : domainSpec(term, argument), null,
            prefix(term, c4, 32), prefix(term, c6, 128), term);
      }
      case IP4, IP6 -> {
        if (argument == null || c6 != null) {
          throw new SpfSyntaxException("'" + term + "': needs an address and at most one prefix length");
        }
        InetAddress network = network(term, argument, kind == SpfTerm.Kind.IP4);
        int bits = kind == SpfTerm.Kind.IP4 ? prefix(term, c4, 32) : prefix(term, c4, 128);
        yield new SpfTerm.Mechanism(qualifier, kind, null, network, kind == SpfTerm.Kind.IP4 ? bits : 32,
            kind == SpfTerm.Kind.IP6 ? bits : 128, term);
      }
    };
  }

  private static InetAddress network(String term, String text, boolean v4) throws SpfSyntaxException {
    try {
      InetAddress address = InetAddress.ofLiteral(text);
      if (v4 ? address instanceof Inet4Address : address instanceof Inet6Address && text.contains(":")) {
        return address;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new SpfSyntaxException("'" + term + "': '" + text + "' is not an IPv" + (v4 ? "4" : "6") + " address");
  }

  private static int prefix(String term, Integer given, int max) throws SpfSyntaxException {
    if (given == null) {
      return max;
    }
    if (given > max) {
      throw new SpfSyntaxException("'" + term + "': prefix length /" + given + " is more than " + max);
    }
    return given;
  }

  private static String domainSpec(String term, String value) throws SpfSyntaxException {
    if (value.isEmpty() || !DOMAIN_SPEC.matcher(value).matches() || value.startsWith(".") || value.contains("..")) {
      throw new SpfSyntaxException("'" + term + "': '" + value + "' is not a valid domain");
    }
    return value;
  }
}
