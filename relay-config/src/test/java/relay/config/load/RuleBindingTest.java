package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.MailPath;
import relay.core.policy.ClientNetwork;
import relay.core.routing.header.HeaderEdit;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Location;
import relay.core.routing.rule.Phase;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleMode;
import relay.core.routing.rule.ValuePattern;

/** Every condition and action key of a mail-flow rule binds to its engine type. */
class RuleBindingTest {

  @TempDir Path dir;

  private Rule onlyRule(String rule) throws Exception {
    return new RoutingFiles(dir).load("""
        relay.outbound-connectors = [
          { name = "m365", type = drop, recipient-domains = ["*"] }
          { name = "partner", type = drop, rule-scoped = true }
        ]
        relay.accepted-domains = [{ domain = "contoso.com" }]
        relay.rules = [%s]
        """.formatted(rule)).routing().rules().getFirst();
  }

  private static List<ValuePattern> patterns(String... texts) {
    return java.util.Arrays.stream(texts).map(ValuePattern::parse).toList();
  }

  @Test
  void everyEnvelopeConditionKeyBindsToItsCondition() throws Exception {
    Rule rule = onlyRule("""
        {
          name = "all envelope", priority = 3
          conditions {
            sender-address = ["*@contoso.com", "regex:scan-[0-9]+@contoso\\\\.com"]
            sender-domain = ["contoso.com"]
            recipient-address = ["ceo@fabrikam.com"]
            recipient-domain = ["*.fabrikam.com"]
            sender-location = inside
            recipient-location = outside
            client-networks = ["10.1.2.0/24"]
            inbound-connector = ["printers"]
            authenticated-user = ["Scanner@Contoso.com"]
            recipient-count-over = 50
          }
          actions { route-via = "partner" }
        }
        """);

    assertThat(rule.conditions()).containsExactlyInAnyOrder(
        new Condition.SenderAddress(patterns("*@contoso.com", "regex:scan-[0-9]+@contoso\\.com")),
        new Condition.SenderDomain(patterns("contoso.com")),
        new Condition.RecipientAddress(patterns("ceo@fabrikam.com")),
        new Condition.RecipientDomain(patterns("*.fabrikam.com")),
        new Condition.SenderLocation(Location.INSIDE),
        new Condition.RecipientLocation(Location.OUTSIDE),
        new Condition.ClientIn(List.of(ClientNetwork.parse("10.1.2.0/24"))),
        new Condition.InboundConnectorIn(Set.of("printers")),
        new Condition.AuthenticatedAs(Set.of("scanner@contoso.com")),
        new Condition.RecipientCountOver(50));
    assertThat(rule.phase()).isEqualTo(Phase.ENVELOPE);
    assertThat(rule.mode()).isEqualTo(RuleMode.ENFORCE);
    assertThat(rule.stopProcessing()).isFalse();
  }

  @Test
  void everyMessageConditionKeyBindsToItsConditionAndMakesAMessagePhaseRule() throws Exception {
    Rule rule = onlyRule("""
        {
          name = "all message", priority = 4, mode = test, stop-processing = true
          conditions {
            header-contains { name = "X-Priority", words = ["1", "High"] }
            header-matches { name = "X-Mailer", pattern = "^Sharp" }
            subject-contains = ["invoice"]
            subject-matches = "\\\\[secure\\\\]"
            size-over = 10MiB
          }
          exceptions { sender-domain = ["partner.example"] }
          actions { discard = true }
        }
        """);

    assertThat(rule.conditions()).containsExactlyInAnyOrder(
        new Condition.HeaderContains("X-Priority", List.of("1", "High")),
        new Condition.HeaderMatches("X-Mailer", new ValuePattern.Regex("^Sharp")),
        new Condition.SubjectContains(List.of("invoice")),
        new Condition.SubjectMatches(new ValuePattern.Regex("\\[secure\\]")),
        new Condition.SizeOver(10L * 1024 * 1024));
    assertThat(rule.exceptions()).containsExactly(new Condition.SenderDomain(patterns("partner.example")));
    assertThat(rule.phase()).isEqualTo(Phase.MESSAGE);
    assertThat(rule.mode()).isEqualTo(RuleMode.TEST);
    assertThat(rule.stopProcessing()).isTrue();
  }

  @Test
  void everyActionKeyBindsInTheDocumentedOrder() throws Exception {
    Rule rule = onlyRule("""
        {
          name = "all actions", priority = 1
          actions {
            prepend-subject = "[EXTERNAL] "
            add-header = [{ name = "X-Relay", value = "one" }, { name = "X-Relay", value = "two" }]
            set-header { name = "X-Class", value = "internal" }
            remove-header = ["X-Internal", "X-Debug"]
            add-bcc = ["journal@contoso.com", "audit@contoso.com"]
            require-tls = true
            route-via = "partner"
            rewrite-sender = "noreply@contoso.com"
            redirect-to = "it@contoso.com"
            discard = true
            reject { code = 550, status = "5.7.1", text = "Not from here" }
          }
        }
        """);

    assertThat(rule.actions()).containsExactly(
        Action.Reject.of(550, "5.7.1", "Not from here"),
        new Action.Discard(),
        new Action.RedirectTo(MailPath.parse("it@contoso.com")),
        new Action.RewriteSender(MailPath.parse("noreply@contoso.com")),
        new Action.RouteVia("partner"),
        new Action.RequireTls(),
        new Action.AddBcc(MailPath.parse("journal@contoso.com")),
        new Action.AddBcc(MailPath.parse("audit@contoso.com")),
        new Action.EditHeader(new HeaderEdit.Remove("X-Internal")),
        new Action.EditHeader(new HeaderEdit.Remove("X-Debug")),
        new Action.EditHeader(new HeaderEdit.Set("X-Class", "internal")),
        new Action.EditHeader(new HeaderEdit.Add("X-Relay", "one")),
        new Action.EditHeader(new HeaderEdit.Add("X-Relay", "two")),
        new Action.EditHeader(new HeaderEdit.PrependSubject("[EXTERNAL] ")));
  }

  @Test
  void singleValuesWhereListsAreAllowedAndARejectWithoutTextGetsTheBlandText() throws Exception {
    Rule rule = onlyRule("""
        {
          name = "single", priority = 0
          actions { add-bcc = "journal@contoso.com", remove-header = "X-Debug", reject { code = 450, status = "4.7.1" } }
        }
        """);

    assertThat(rule.actions()).containsExactly(
        Action.Reject.of(450, "4.7.1", ActionBinder.REJECT_TEXT),
        new Action.AddBcc(MailPath.parse("journal@contoso.com")),
        new Action.EditHeader(new HeaderEdit.Remove("X-Debug")));
    assertThat(rule.conditions()).isEmpty();
  }

  @Test
  void badAddressesEmptyListsAndMissingKeysAreEachReported() throws Exception {
    List<String> problems = new RoutingFiles(dir).problems("""
        relay.outbound-connectors = [{ name = "m365", type = drop, recipient-domains = ["*"] }]
        relay.rules = [
          { name = "a", priority = 1, conditions { sender-domain = [] }, actions { redirect-to = "not an address" } }
          { priority = 2, actions { add-bcc = "<>" } }
          { name = "c", priority = 3, conditions { sender-location = abroad } }
        ]
        """);

    assertThat(problems).containsExactly(
        "relay.conf:10: relay.rules[0].actions.redirect-to: 'not an address' is not a mailbox address (e.g. journal@contoso.com)",
        "relay.conf:10: relay.rules[0].conditions.sender-domain: must name at least one value (remove the key to leave the condition out)",
        "relay.conf:11: relay.rules[1].actions.add-bcc: '<>' is not a mailbox address (e.g. journal@contoso.com)",
        "relay.conf:11: relay.rules[1].name: is required but missing",
        "relay.conf:12: relay.rules[2].actions: is required but missing",
        "relay.conf:12: relay.rules[2].conditions.sender-location: 'abroad' is not one of inside, outside");
  }
}
