package relay.core.routing.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.routing.rule.RuleFixtures.envelope;
import static relay.core.routing.rule.RuleFixtures.message;
import static relay.core.routing.rule.RuleFixtures.path;
import static relay.core.routing.rule.RuleFixtures.patterns;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import relay.core.envelope.MailPath;
import relay.core.policy.ClientNetwork;

/** Each condition, through the engine: which recipients a rule with only that condition selects. */
class ConditionTest {

  private static final String HEADERS = "Subject: =?UTF-8?Q?Facture_n=C2=B042?= from the copier\r\n"
      + "X-Scanner: Model KX-200\r\nX-Priority: 1\r\n";

  private static final MessageFacts FACTS = new MessageFacts(
      new EnvelopeFacts(path("scanner@corp.example"),
          List.of(RuleFixtures.rcpt("ann@corp.example"), RuleFixtures.rcpt("bob@partner.example"),
              RuleFixtures.rcpt("cy@eu.corp.example")),
          InetAddress.ofLiteral("192.0.2.10"), "printers", Optional.of("Scanner-Account")),
      message(envelope("x@y.z", "a@b.c"), HEADERS, 5000).headers(), 5000);

  private static final List<String> ALL = List.of("ann@corp.example", "bob@partner.example", "cy@eu.corp.example");

  private static List<String> selected(Condition condition) {
    Rule rule = RuleFixtures.rule("probe", 1, List.of(condition), new Action.RequireTls());
    RuleDecision decision = RuleFixtures.engine(rule).evaluateMessage(FACTS).trace().decision("probe").orElseThrow();
    return decision.recipients().stream().map(MailPath::address).toList();
  }

  static Stream<Arguments> conditions() {
    return Stream.of(
        Arguments.of(new Condition.SenderAddress(patterns("SCANNER@corp.example")), ALL),
        Arguments.of(new Condition.SenderAddress(patterns("printer@corp.example")), List.of()),
        Arguments.of(new Condition.SenderAddress(patterns("scan*@corp.example")), ALL),
        Arguments.of(new Condition.SenderDomain(patterns("Corp.Example")), ALL),
        Arguments.of(new Condition.SenderDomain(patterns("*.corp.example")), List.of()),
        Arguments.of(new Condition.SenderDomain(patterns("regex:c.rp\\.example")), ALL),
        Arguments.of(new Condition.RecipientAddress(patterns("bob@partner.example")), List.of("bob@partner.example")),
        Arguments.of(new Condition.RecipientAddress(patterns("?nn@*", "cy@*")), List.of("ann@corp.example", "cy@eu.corp.example")),
        Arguments.of(new Condition.RecipientAddress(patterns("nobody@corp.example")), List.of()),
        Arguments.of(new Condition.RecipientDomain(patterns("partner.example")), List.of("bob@partner.example")),
        Arguments.of(new Condition.RecipientDomain(patterns("*.corp.example")), List.of("cy@eu.corp.example")),
        Arguments.of(new Condition.RecipientDomain(patterns("regex:.*corp\\.example")), List.of("ann@corp.example", "cy@eu.corp.example")),
        Arguments.of(new Condition.SenderLocation(Location.INSIDE), ALL),
        Arguments.of(new Condition.SenderLocation(Location.OUTSIDE), List.of()),
        Arguments.of(new Condition.RecipientLocation(Location.INSIDE), List.of("ann@corp.example", "cy@eu.corp.example")),
        Arguments.of(new Condition.RecipientLocation(Location.OUTSIDE), List.of("bob@partner.example")),
        Arguments.of(new Condition.ClientIn(List.of(ClientNetwork.parse("192.0.2.0/28"))), ALL),
        Arguments.of(new Condition.ClientIn(List.of(ClientNetwork.parse("198.51.100.0/24"))), List.of()),
        Arguments.of(new Condition.InboundConnectorIn(Set.of("printers", "apps")), ALL),
        Arguments.of(new Condition.InboundConnectorIn(Set.of("apps")), List.of()),
        Arguments.of(new Condition.AuthenticatedAs(Set.of("scanner-account")), ALL),
        Arguments.of(new Condition.AuthenticatedAs(Set.of("other")), List.of()),
        Arguments.of(new Condition.HeaderContains("x-scanner", List.of("kx-200")), ALL),
        Arguments.of(new Condition.HeaderContains("X-Scanner", List.of("ricoh")), List.of()),
        Arguments.of(new Condition.HeaderContains("X-Missing", List.of("model")), List.of()),
        Arguments.of(new Condition.HeaderMatches("X-Priority", new ValuePattern.Regex("^[12]$")), ALL),
        Arguments.of(new Condition.HeaderMatches("X-Priority", new ValuePattern.Regex("^5$")), List.of()),
        Arguments.of(new Condition.SubjectContains(List.of("FACTURE N\u00b042")), ALL),
        Arguments.of(new Condition.SubjectContains(List.of("invoice")), List.of()),
        Arguments.of(new Condition.SubjectMatches(new ValuePattern.Regex("n\u00b0\\d+")), ALL),
        Arguments.of(new Condition.SubjectMatches(new ValuePattern.Regex("^copier")), List.of()),
        Arguments.of(new Condition.SizeOver(4999), ALL),
        Arguments.of(new Condition.SizeOver(5000), List.of()),
        Arguments.of(new Condition.RecipientCountOver(2), ALL),
        Arguments.of(new Condition.RecipientCountOver(3), List.of()));
  }

  @ParameterizedTest
  @MethodSource("conditions")
  void selectsTheRecipientsItMatches(Condition condition, List<String> expected) {
    assertThat(selected(condition)).containsExactlyElementsOf(expected);
  }

  @Test
  void theNullSenderMatchesNoSenderPatternAndIsOutside() {
    MessageFacts bounce = message("", "ann@corp.example");
    for (Condition c : List.<Condition>of(new Condition.SenderAddress(patterns("*")),
        new Condition.SenderDomain(patterns("*")), new Condition.SenderLocation(Location.INSIDE))) {
      Rule rule = RuleFixtures.rule("probe", 1, List.of(c), new Action.RequireTls());
      assertThat(RuleFixtures.engine(rule).evaluateMessage(bounce).trace().decision("probe").orElseThrow().outcome())
          .as("%s", c).isEqualTo(RuleOutcome.NOT_MATCHED);
    }
    Rule outside = RuleFixtures.rule("probe", 1, List.of(new Condition.SenderLocation(Location.OUTSIDE)), new Action.RequireTls());
    assertThat(RuleFixtures.engine(outside).evaluateMessage(bounce).trace().hits()).hasSize(1);
  }

  @Test
  void anUnauthenticatedClientMatchesNoAuthenticatedUserCondition() {
    Rule rule = RuleFixtures.rule("probe", 1, List.of(new Condition.AuthenticatedAs(Set.of("scanner-account"))),
        new Action.RequireTls());
    assertThat(RuleFixtures.engine(rule).evaluateMessage(message("a@corp.example", "b@corp.example")).trace().hits())
        .isEmpty();
  }

  @Test
  void phaseIsEnvelopeUnlessAConditionOrExceptionNeedsTheMessage() {
    Condition envelopeOnly = new Condition.SenderDomain(patterns("corp.example"));
    Condition headerBased = new Condition.SubjectContains(List.of("x"));
    assertThat(new Rule("a", 1, RuleMode.ENFORCE, List.of(envelopeOnly, new Condition.RecipientCountOver(5)),
        List.of(new Condition.ClientIn(List.of(ClientNetwork.parse("10.0.0.0/8")))),
        List.of(new Action.Discard()), false).phase()).isEqualTo(Phase.ENVELOPE);
    assertThat(new Rule("b", 1, RuleMode.ENFORCE, List.of(envelopeOnly, headerBased), List.of(),
        List.of(new Action.Discard()), false).phase()).isEqualTo(Phase.MESSAGE);
    assertThat(new Rule("c", 1, RuleMode.ENFORCE, List.of(envelopeOnly), List.of(new Condition.SizeOver(10)),
        List.of(new Action.Discard()), false).phase()).isEqualTo(Phase.MESSAGE);
    assertThat(new Rule("d", 1, RuleMode.ENFORCE, List.of(), List.of(), List.of(new Action.Discard()), false).phase())
        .isEqualTo(Phase.ENVELOPE);
  }
}
