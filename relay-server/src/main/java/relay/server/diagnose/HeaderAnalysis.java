package relay.server.diagnose;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import relay.core.routing.header.HeaderSection;

/**
 * What {@code relay analyze-headers} finds in a header section, in the manner of Microsoft's
 * Message Header Analyzer: the Received chain oldest first with each hop's delay, the
 * authentication results, Microsoft's anti-spam verdicts decoded, and warnings (clock skew,
 * undated hops, failed authentication, spam verdicts). Immutable.
 *
 * @param subject the Subject with encoded-words decoded, or null
 * @param from the From with encoded-words decoded, or null
 * @param date the Date as written, or null
 * @param messageId the Message-ID, or null
 * @param hops the Received chain, oldest first
 * @param total from the first dated hop to the last, or null with fewer than two dated hops
 * @param authentication the authentication results, in field order
 * @param antispam Microsoft's anti-spam entries, in field order
 * @param warnings what deserves a look, one sentence each
 */
public record HeaderAnalysis(String subject, String from, String date, String messageId, List<ReceivedHop> hops,
    Duration total, List<AuthVerdict> authentication, List<AntispamField> antispam, List<String> warnings) {

  public HeaderAnalysis {
    hops = List.copyOf(hops);
    authentication = List.copyOf(authentication);
    antispam = List.copyOf(antispam);
    warnings = List.copyOf(warnings);
  }

  /** Analyses {@code headers} (already unfolded by {@link HeaderSection}). */
  public static HeaderAnalysis of(HeaderSection headers) {
    List<String> received = new ArrayList<>(headers.values("Received"));
    // Each server adds its Received on top: the oldest is at the bottom.
    List<ReceivedHop> hops = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    ReceivedHop previous = null;
    for (int i = received.size() - 1, n = 1; i >= 0; i--, n++) {
      ReceivedHop hop = ReceivedHop.parse(n, received.get(i));
      if (hop.date() == null) {
        warnings.add("hop " + n + (hop.by() == null ? "" : " (by " + hop.by() + ")")
            + (hop.dateText() == null ? " has no date" : " has a date that cannot be read: " + hop.dateText()));
      } else if (previous != null) {
        hop = hop.withDelay(Duration.between(previous.date(), hop.date()));
        if (hop.skewed()) {
          warnings.add("hop " + n + (hop.by() == null ? "" : " (by " + hop.by() + ")") + " is stamped "
              + Durations.text(hop.delay().negated()) + " before hop " + previous.number()
              + ": the two servers' clocks disagree");
        }
      }
      if (hop.date() != null) {
        previous = hop;
      }
      hops.add(hop);
    }
    List<ReceivedHop> dated = hops.stream().filter(h -> h.date() != null).toList();
    Duration total = dated.size() < 2 ? null : Duration.between(dated.getFirst().date(), dated.getLast().date());

    List<AuthVerdict> auth = new ArrayList<>();
    headers.fields().forEach(f -> {
      if (f.is("Authentication-Results") || f.is("ARC-Authentication-Results")) {
        auth.addAll(AuthVerdict.parseResults(f.name(), f.value()));
      } else if (f.is("Received-SPF")) {
        auth.add(AuthVerdict.parseReceivedSpf(f.value()));
      } else if (f.is("ARC-Seal")) {
        AuthVerdict seal = AuthVerdict.parseArcSeal(f.value());
        if (seal != null) {
          auth.add(seal);
        }
      }
    });
    auth.stream().filter(AuthVerdict::failed).forEach(a -> warnings.add(
        a.method() + "=" + a.result() + " in " + a.field() + (a.authority() == null ? "" : " of " + a.authority())));
    List<AntispamField> antispam = MicrosoftAntispam.decode(headers);
    antispam.stream().filter(AntispamField::warning).forEach(a -> warnings.add(
        a.name() + ":" + a.value() + " in " + a.field() + ": " + a.meaning()));

    return new HeaderAnalysis(first(headers, "Subject"), first(headers, "From"),
        headers.first("Date").orElse(null), headers.first("Message-ID").orElse(null),
        hops, total, auth, antispam, warnings);
  }

  /** Share of the hop's delay in the sum of the chain's forward delays, in percent; null without one. */
  public Integer share(ReceivedHop hop) {
    long sum = hops.stream().filter(h -> h.delay() != null && !h.delay().isNegative())
        .mapToLong(h -> h.delay().toMillis()).sum();
    if (hop.delay() == null || hop.delay().isNegative() || sum == 0) {
      return null;
    }
    return (int) Math.round(100.0 * hop.delay().toMillis() / sum);
  }

  private static String first(HeaderSection headers, String name) {
    List<String> decoded = headers.decodedValues(name);
    return decoded.isEmpty() ? null : decoded.getFirst();
  }
}
