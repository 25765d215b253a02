package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/** What an attempt costs in a mailbox's lane: one transaction per request the transport will make. */
class LaneRuleTest {

  private static final LaneRule.PerMailbox RULE = new LaneRule.PerMailbox(new SenderIdentities(List.of(
      new SenderIdentity("*", "Relay@Contoso.com", null, null),
      new SenderIdentity("<>", "postmaster@contoso.com", null, null))), Pacing.MICROSOFT_GRAPH);

  private static List<Recipient> recipients(int n) {
    return IntStream.range(0, n).mapToObj(i -> Recipient.of(MailPath.parse("r" + i + "@fabrikam.com"))).toList();
  }

  @Test
  void moreRecipientsThanOneMessageMayCarryCostOneTurnPerRequest() {
    assertThat(RULE.demands(MailPath.parse("a@contoso.com"), recipients(500)))
        .containsExactly(new LaneRule.Demand("relay@contoso.com", 1, 500));
    assertThat(RULE.demands(MailPath.parse("a@contoso.com"), recipients(501)))
        .containsExactly(new LaneRule.Demand("relay@contoso.com", 2, 501));
  }

  @Test
  void notificationsUseTheLaneOfTheNullSendersMailbox() {
    assertThat(RULE.demands(MailPath.NULL, recipients(1)))
        .containsExactly(new LaneRule.Demand("postmaster@contoso.com", 1, 1));
  }
}
