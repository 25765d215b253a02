package relay.server.main;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;
import relay.config.model.RoutingConfig;
import relay.core.connector.OutboundConnector;
import relay.core.policy.InboundConnector;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.ConnectorScope;
import relay.core.routing.DomainPattern;
import relay.core.routing.RemoteDomain;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Phase;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleEngine;
import relay.core.schedule.RetrySchedule;

/**
 * What {@code relay check-config} prints about a valid configuration: who may send what through
 * each listener, where each recipient domain goes, the domains, and the rules in the order they
 * run. Plain text for an operator; no secret ever appears (configuration records print secrets as
 * their source only).
 *
 * <p>Stateless; thread-safe.
 */
final class RoutingReport {

  private final RelayConfig config;

  RoutingReport(RelayConfig config) {
    this.config = config;
  }

  void print(PrintWriter out) {
    RoutingConfig routing = config.routing();
    out.println("data directory: " + config.home());
    for (ListenerConfig l : config.listeners()) {
      out.println("listener " + l.name() + ": " + l.address().getHostAddress() + ":" + l.port()
          + (l.starttls() ? " with STARTTLS" : l.encryption().enabled() ? " with implicit TLS" : ""));
      l.inboundConnectors().forEach(c -> out.println("  inbound connector " + c.name() + ": " + clients(c)));
    }
    out.println("outbound connectors:");
    config.outboundConnectors().forEach(c -> out.println("  " + c.name() + ": " + describe(c) + "; retry "
        + describe(config.delivery().retryFor(c.name()))
        + (config.delivery().connectorRetry().containsKey(c.name()) ? " (own)" : " (global)")));
    out.println("routing table (most specific first):");
    routes(routing.connectors()).forEach(line -> out.println("  " + line));
    out.println("accepted domains:" + (routing.acceptedDomains().domains().isEmpty() ? " none (every recipient is outside)" : ""));
    for (AcceptedDomain d : routing.acceptedDomains().domains()) {
      out.println("  " + d.pattern() + " (" + word(d.type()) + ")");
    }
    out.println("remote domains:");
    for (RemoteDomain d : routing.remoteDomains().domains()) {
      out.println("  " + d.pattern() + ": " + describe(d));
    }
    RuleEngine engine = routing.ruleEngine();
    out.println("rules (in the order they run):" + (engine.rules().isEmpty() ? " none" : ""));
    for (Rule r : engine.rules()) {
      out.println("  [" + r.priority() + "] " + r.name() + ": " + word(r.mode()) + ", decided at "
          + (r.phase() == Phase.ENVELOPE ? "RCPT" : "end of DATA")
          + ", " + r.conditions().size() + " condition(s), " + r.exceptions().size() + " exception(s); "
          + r.actions().stream().map(Action::describe).collect(Collectors.joining(", "))
          + (r.stopProcessing() ? "; stops processing" : ""));
    }
  }

  /** One clause per right: which recipients, TLS, which senders. */
  private String clients(InboundConnector c) {
    StringBuilder s = new StringBuilder("clients " + c.clientNetworks());
    if (c.relayToAnyDomain()) {
      s.append(", may relay to any domain");
    } else {
      s.append(", may send to accepted domains only");
      if (!c.recipientDomains().isEmpty()) {
        s.append(" and ").append(c.recipientDomains().stream().map(d -> d.name()).sorted().toList());
      }
    }
    if (c.requireTls()) {
      s.append(", TLS required");
    }
    if (!c.allowedSenderDomains().isEmpty()) {
      s.append(", senders from ").append(c.allowedSenderDomains().stream().map(d -> d.name()).sorted().toList());
    }
    return s.toString();
  }

  /** Every pattern with its connector, most specific first, then the rule-scoped connectors. */
  static List<String> routes(List<ConnectorScope> scopes) {
    record Entry(DomainPattern pattern, String connector) {}
    List<Entry> entries = new ArrayList<>();
    scopes.stream().filter(s -> !s.ruleScoped())
        .forEach(s -> s.recipientDomains().forEach(p -> entries.add(new Entry(p, s.connector()))));
    entries.sort(Comparator.comparingInt((Entry e) -> -e.pattern().specificity()).thenComparing(e -> e.pattern().toString()));
    int width = entries.stream().mapToInt(e -> e.pattern().toString().length()).max().orElse(1);
    List<String> lines = new ArrayList<>();
    entries.forEach(e -> lines.add(String.format(Locale.ROOT, "%-" + width + "s -> %s", e.pattern(), e.connector())));
    scopes.stream().filter(ConnectorScope::ruleScoped)
        .forEach(s -> lines.add("(rule-scoped) -> " + s.connector() + ", only when a rule routes via it"));
    if (entries.stream().noneMatch(e -> e.pattern().equals(DomainPattern.ANY))) {
      lines.add("any other domain: refused at RCPT (550 5.4.4)");
    }
    return lines;
  }

  /** e.g. {@code every 1m x2.0 up to 1h, jitter 20%, give up after 2d}. */
  static String describe(RetrySchedule r) {
    return String.format(Locale.ROOT, "every %s x%s up to %s, jitter %d%%, give up after %s",
        duration(r.initialDelay()), r.multiplier(), duration(r.maxDelay()), Math.round(r.jitter() * 100),
        duration(r.maxLifetime()));
  }

  /** A duration in the configuration file's own units (2d, 1h, 90s, 200ms). */
  static String duration(Duration d) {
    if (d.toMillis() % 86_400_000 == 0) {
      return d.toDays() + "d";
    } else if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    } else if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    } else if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + "s";
    }
    return d.toMillis() + "ms";
  }

  static String describe(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop drop -> "drop folder " + drop.directory();
      case OutboundConnector.SmartHost s -> "smart host " + s.hosts().stream()
          .map(h -> h.host() + ":" + h.port()).collect(Collectors.joining(", "))
          + " (TLS " + word(s.tls().mode())
          + (s.tls().names().isEmpty() ? "" : " " + s.tls().names().stream().map(Object::toString).collect(Collectors.joining(", ")))
          + (s.tls().caBundle() == null ? "" : ", CA " + s.tls().caBundle())
          + (s.tls().clientCertificate() == null ? "" : ", client certificate " + s.tls().clientCertificate().certificate())
          + ")";
      case OutboundConnector.Mx m -> "MX of each recipient domain, port " + m.port()
          + " (TLS " + word(m.tls().mode())
          + (m.tls().names().isEmpty() ? "" : " " + m.tls().names().stream().map(Object::toString).collect(Collectors.joining(", ")))
          + ", DNS " + (m.resolvers().isEmpty() ? "system resolvers" : m.resolvers().stream().map(Object::toString).collect(Collectors.joining(", ")))
          + ", " + m.maxConnections() + " connections, " + m.maxConnectionsPerDestination() + " per host)";
      case OutboundConnector.SmtpAuth s -> "smtp-auth " + s.host().host() + ":" + s.host().port() + " (STARTTLS verified, "
          + (s.credential() instanceof relay.core.connector.SubmissionCredential.OAuth ? "XOAUTH2" : "password") + ")";
      case OutboundConnector.Graph g -> "graph " + g.graphUrl() + " (sendMail as MIME, app-only OAuth"
          + (g.httpsProxy() == null ? "" : ", through proxy " + g.httpsProxy()) + ")";
    };
  }

  private static String describe(RemoteDomain d) {
    OptionalLong max = d.maxMessageSize();
    return "auto-replies " + allowed(d.allowAutoReplies()) + ", auto-forwarding " + allowed(d.allowAutoForwarding())
        + ", delivery reports " + allowed(d.allowDeliveryReports())
        + (max.isPresent() ? ", at most " + max.getAsLong() + " bytes" : "");
  }

  private static String allowed(boolean allowed) {
    return allowed ? "allowed" : "blocked";
  }

  private static String word(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
