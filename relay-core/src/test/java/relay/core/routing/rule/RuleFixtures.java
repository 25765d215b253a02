package relay.core.routing.rule;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.AcceptedDomainType;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.Router;
import relay.core.routing.header.HeaderSection;

/** Shared organisation, connectors and fact builders for the rule tests. */
final class RuleFixtures {

  static final AcceptedDomains ACCEPTED = new AcceptedDomains(List.of(
      AcceptedDomain.of("corp.example", AcceptedDomainType.AUTHORITATIVE),
      AcceptedDomain.of("*.corp.example", AcceptedDomainType.INTERNAL_RELAY)));

  static final Router ROUTER = new Router(List.of(
      ConnectorScope.byDomain("m365", "*"),
      ConnectorScope.byDomain("partner", "partner.example"),
      ConnectorScope.ruleScoped("secure")));

  private RuleFixtures() {}

  static RuleEngine engine(Rule... rules) {
    return new RuleEngine(List.of(rules), ROUTER, ACCEPTED);
  }

  static Rule rule(String name, int priority, List<Condition> conditions, Action... actions) {
    return new Rule(name, priority, RuleMode.ENFORCE, conditions, List.of(), List.of(actions), false);
  }

  static Recipient rcpt(String address) {
    return Recipient.of(MailPath.parse(address));
  }

  static EnvelopeFacts envelope(String sender, String... recipients) {
    return new EnvelopeFacts(MailPath.parse(sender),
        Arrays.stream(recipients).map(RuleFixtures::rcpt).toList(),
        InetAddress.ofLiteral("192.0.2.10"), "printers", Optional.empty());
  }

  static MessageFacts message(EnvelopeFacts envelope, String headers, long size) {
    return new MessageFacts(envelope, HeaderSection.parse((headers + "\r\n").getBytes(StandardCharsets.UTF_8)), size);
  }

  static MessageFacts message(String sender, String... recipients) {
    return message(envelope(sender, recipients), "Subject: hello\r\n", 1000);
  }

  static List<ValuePattern> patterns(String... texts) {
    return Arrays.stream(texts).map(ValuePattern::parse).toList();
  }

  static MailPath path(String address) {
    return MailPath.parse(address);
  }
}
