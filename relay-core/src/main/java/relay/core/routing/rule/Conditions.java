package relay.core.routing.rule;

import java.util.List;
import java.util.Locale;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.header.HeaderSection;

/**
 * Decides which recipients one condition selects: for recipient conditions the matching subset of
 * the candidates, for message conditions all candidates or none.
 *
 * <p>Stateless apart from the accepted domains it was given; thread-safe.
 */
final class Conditions {

  private final AcceptedDomains accepted;

  Conditions(AcceptedDomains accepted) {
    this.accepted = accepted;
  }

  /**
   * The candidates the condition selects. {@code message} is null during the envelope phase; message
   * conditions are never asked then (their rules are deferred).
   */
  List<Recipient> select(Condition condition, EnvelopeFacts envelope, MessageFacts message, List<Recipient> candidates) {
    return switch (condition) {
      case Condition.RecipientAddress c ->
          candidates.stream().filter(r -> any(c.patterns(), r.address().address())).toList();
      case Condition.RecipientDomain c ->
          candidates.stream().filter(r -> any(c.patterns(), r.address().domain().name())).toList();
      case Condition.RecipientLocation c ->
          candidates.stream().filter(r -> location(r.address()) == c.location()).toList();
      case Condition.SenderAddress c ->
          all(candidates, !envelope.sender().isNull() && any(c.patterns(), envelope.sender().address()));
      case Condition.SenderDomain c ->
          all(candidates, !envelope.sender().isNull() && any(c.patterns(), envelope.sender().domain().name()));
      case Condition.SenderLocation c -> all(candidates, location(envelope.sender()) == c.location());
      case Condition.ClientIn c ->
          all(candidates, c.networks().stream().anyMatch(n -> n.contains(envelope.client())));
      case Condition.InboundConnectorIn c -> all(candidates, c.names().contains(envelope.inboundConnector()));
      case Condition.AuthenticatedAs c -> all(candidates, envelope.authenticatedUser()
          .map(u -> c.users().contains(u.toLowerCase(Locale.ROOT))).orElse(false));
      case Condition.RecipientCountOver c -> all(candidates, envelope.recipients().size() > c.count());
      case Condition.HeaderContains c ->
          all(candidates, headers(message).decodedValues(c.name()).stream().anyMatch(v -> containsAny(v, c.words())));
      case Condition.HeaderMatches c ->
          all(candidates, headers(message).decodedValues(c.name()).stream().anyMatch(c.regex()::find));
      case Condition.SubjectContains c -> all(candidates, containsAny(headers(message).subject(), c.words()));
      case Condition.SubjectMatches c -> all(candidates, c.regex().find(headers(message).subject()));
      case Condition.SizeOver c -> all(candidates, size(message) > c.bytes());
    };
  }

  private Location location(MailPath address) {
    return accepted.isInside(address) ? Location.INSIDE : Location.OUTSIDE;
  }

  private static boolean any(List<ValuePattern> patterns, String value) {
    return patterns.stream().anyMatch(p -> p.matches(value));
  }

  private static List<Recipient> all(List<Recipient> candidates, boolean matches) {
    return matches ? candidates : List.of();
  }

  private static boolean containsAny(String text, List<String> words) {
    String folded = text.toLowerCase(Locale.ROOT);
    return words.stream().anyMatch(w -> folded.contains(w.toLowerCase(Locale.ROOT)));
  }

  private static HeaderSection headers(MessageFacts message) {
    if (message == null) {
      throw new IllegalStateException("a message condition was evaluated in the envelope phase");
    }
    return message.headers();
  }

  private static long size(MessageFacts message) {
    if (message == null) {
      throw new IllegalStateException("a message condition was evaluated in the envelope phase");
    }
    return message.size();
  }
}
