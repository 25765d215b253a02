package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.dsn.DsnFixtures.CAROL;
import static relay.core.dsn.DsnFixtures.local;
import static relay.core.dsn.DsnFixtures.reply;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/** The Status, Remote-MTA and Diagnostic-Code of each event, from the fields of the last attempt. */
class RecipientReportTest {

  private static final Instant AT = DsnFixtures.ARRIVAL;

  @Test
  void failureTakesTheEnhancedStatusOfTheUpstreamReply() {
    assertThat(RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.1.1", "User unknown"), AT).status())
        .hasToString("5.1.1");
    AttemptReport multiLine = new AttemptReport.Replied(
        new SmtpReply(554, EnhancedStatus.parse("5.7.1"), List.of("Rejected", "see the policy")));
    assertThat(RecipientReport.failed(CAROL, multiLine, AT).status()).hasToString("5.7.1");
  }

  @Test
  void failureWithoutEnhancedStatusIsFiveZeroZero() {
    assertThat(RecipientReport.failed(CAROL, reply("mx.example.org", 550, null, "No such user"), AT).status())
        .hasToString("5.0.0");
    assertThat(RecipientReport.failed(CAROL, null, AT).status()).hasToString("5.0.0");
  }

  @Test
  void localFailureTakesTheStatusOfItsCauseInTheClassOfTheEvent() {
    assertThat(RecipientReport.failed(CAROL, local(LocalCause.NO_SUCH_DOMAIN, "example.org: NXDOMAIN"), AT).status())
        .hasToString("5.1.2");
    assertThat(RecipientReport.failed(CAROL, local(LocalCause.NULL_MX, "example.org accepts no mail"), AT).status())
        .hasToString("5.1.10");
    assertThat(RecipientReport.expired(CAROL, local(LocalCause.CONNECTION_FAILED, "refused"), AT).status())
        .hasToString("4.4.1");
    assertThat(RecipientReport.expired(CAROL, local(LocalCause.TLS_FAILED, "certificate expired"), AT).status())
        .hasToString("4.7.5");
    assertThat(RecipientReport.delayed(CAROL, local(LocalCause.CONNECTION_LOST, "no progress"), AT, AT).status())
        .hasToString("4.4.2");
  }

  @Test
  void expiryIsFourFourSevenUnlessTheLastAttemptSaysMore() {
    assertThat(RecipientReport.expired(CAROL, null, AT).status()).hasToString("4.4.7");
    assertThat(RecipientReport.expired(CAROL, reply("mx.example.org", 421, null, "Busy"), AT).status())
        .hasToString("4.4.7");
    assertThat(RecipientReport.expired(CAROL, local(LocalCause.UNCLASSIFIED, "Connection refused"), AT).status())
        .hasToString("4.4.7");
    assertThat(RecipientReport.expired(CAROL, reply("mx.example.org", 451, "4.3.0", "Try later"), AT).status())
        .hasToString("4.3.0");
  }

  @Test
  void delayIsFourZeroZeroUnlessTheReplySaysMore() {
    assertThat(RecipientReport.delayed(CAROL, null, AT, AT).status()).hasToString("4.0.0");
    assertThat(RecipientReport.delayed(CAROL, reply("mx.example.org", 421, "4.7.0", "Busy"), AT, AT).status())
        .hasToString("4.7.0");
  }

  @Test
  void replyStatusOfTheWrongClassIsIgnored() {
    assertThat(RecipientReport.failed(CAROL, reply("mx.example.org", 450, "4.2.0", "Busy"), AT).status())
        .hasToString("5.0.0");
    // A reply code that contradicts its own enhanced status says nothing reliable either.
    assertThat(RecipientReport.failed(CAROL, reply("mx.example.org", 450, "5.2.0", "Busy"), AT).status())
        .hasToString("5.0.0");
  }

  @Test
  void replyIsTypedSmtpWithTheHostThatGaveItAsRemoteMta() {
    RecipientReport r = RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.1.1", "User unknown"), AT);

    assertThat(r.remoteMta()).isEqualTo("mx.example.org");
    assertThat(r.diagnosticCode()).isEqualTo("smtp; 550 5.1.1 User unknown");
  }

  @Test
  void localReasonIsTypedAsOursAndNamesNoRemoteMtaEvenWhenAConnectionWasMade() {
    RecipientReport r = RecipientReport.expired(CAROL,
        new AttemptReport.Local(LocalCause.CONNECTION_LOST, "mx.example.org:25: no progress",
            UpstreamHop.plain("mx.example.org", "203.0.113.25")), AT);

    assertThat(r.remoteMta()).isNull();
    assertThat(r.diagnosticCode()).isEqualTo("X-Relay; mx.example.org:25: no progress");
  }

  @Test
  void statusThatContradictsTheActionIsRefused() {
    assertThatThrownBy(() -> new RecipientReport(CAROL, DsnAction.DELAYED, new EnhancedStatus(5, 1, 1), null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecipientReport(CAROL, DsnAction.FAILED, new EnhancedStatus(5, 1, 1), null, null, AT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
