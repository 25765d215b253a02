package relay.core.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/**
 * Which ready lanes below the connector an attempt occupies, and what each lane allows: the part of
 * "how much at once" that depends on the message. A closed set, one kind per way of delivering:
 *
 * <ul>
 *   <li>{@link Connector}: the connector's own slots are all (a smart host, a drop folder);
 *   <li>{@link PerDomain}: one lane per recipient domain, each with at most {@code connections}
 *       attempts at once (MX delivery: Postfix's per-destination concurrency);
 *   <li>{@link PerMailbox}: one lane per Microsoft 365 mailbox the sender maps to, with its sessions
 *       and its messages-per-minute and recipients-per-day windows ({@link Pacing}); a message with
 *       more recipients than one transaction may carry costs one turn per transaction.
 * </ul>
 *
 * <p>Immutable.
 */
public sealed interface LaneRule {

  /** The lanes an attempt on a message with these pending recipients needs; empty for none. */
  List<Demand> demands(MailPath sender, List<Recipient> pending);

  /** What an attempt costs in one lane. */
  record Demand(String lane, int transactions, int recipients) {
    public Demand {
      Objects.requireNonNull(lane, "lane");
      if (transactions < 1 || recipients < 1) {
        throw new IllegalArgumentException("a demand is at least one transaction and one recipient");
      }
    }
  }

  /** No lanes below the connector. */
  record Connector() implements LaneRule {
    @Override
    public List<Demand> demands(MailPath sender, List<Recipient> pending) {
      return List.of();
    }
  }

  /** One lane per recipient domain (lower case), at most {@code connections} attempts each. */
  record PerDomain(int connections) implements LaneRule {
    public PerDomain {
      if (connections < 1) {
        throw new IllegalArgumentException("connections per domain must be at least 1");
      }
    }

    @Override
    public List<Demand> demands(MailPath sender, List<Recipient> pending) {
      Map<String, Integer> byDomain = new LinkedHashMap<>();
      for (Recipient r : pending) {
        byDomain.merge(r.address().domain().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
      List<Demand> demands = new ArrayList<>(byDomain.size());
      byDomain.forEach((domain, count) -> demands.add(new Demand(domain, 1, count)));
      return demands;
    }
  }

  /**
   * One lane per mailbox; a sender no identity maps needs no lane (its attempt holds the mail as a
   * configuration problem without sending).
   */
  record PerMailbox(SenderIdentities identities, Pacing pacing) implements LaneRule {
    public PerMailbox {
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(pacing, "pacing");
    }

    @Override
    public List<Demand> demands(MailPath sender, List<Recipient> pending) {
      int per = pacing.recipientsPerMessage();
      return identities.forSender(sender)
          .map(id -> List.of(new Demand(id.mailbox().toLowerCase(Locale.ROOT),
              (pending.size() + per - 1) / per, pending.size())))
          .orElse(List.of());
    }
  }

  /** The rule for a connector's kind. */
  static LaneRule of(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop drop -> new Connector();
      case OutboundConnector.SmartHost smartHost -> new Connector();
      case OutboundConnector.Mx mx -> new PerDomain(mx.maxConnectionsPerDestination());
      case OutboundConnector.SmtpAuth smtpAuth -> new PerMailbox(smtpAuth.identities(), smtpAuth.pacing());
      case OutboundConnector.Graph graph -> new PerMailbox(graph.identities(), graph.pacing());
    };
  }
}
