package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.dsn.DsnFixtures.CAROL;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import relay.core.reply.EnhancedStatus;

/** The Status chosen for each event, from the upstream reply or by default. */
class RecipientReportTest {

  private static final Instant AT = DsnFixtures.ARRIVAL;

  @Test
  void failureTakesTheEnhancedStatusOfTheUpstreamReply() {
    assertThat(RecipientReport.failed(CAROL, "550 5.1.1 User unknown", null, AT).status()).hasToString("5.1.1");
    assertThat(RecipientReport.failed(CAROL, "554-5.7.1 Rejected", null, AT).status()).hasToString("5.7.1");
  }

  @Test
  void failureWithoutEnhancedStatusIsFiveZeroZero() {
    assertThat(RecipientReport.failed(CAROL, "550 No such user", null, AT).status()).hasToString("5.0.0");
    assertThat(RecipientReport.failed(CAROL, "Host not found", null, AT).status()).hasToString("5.0.0");
    assertThat(RecipientReport.failed(CAROL, null, null, AT).status()).hasToString("5.0.0");
  }

  @Test
  void expiryIsFourFourSevenUnlessTheLastReplySaysMore() {
    assertThat(RecipientReport.expired(CAROL, "Connection refused", null, AT).status()).hasToString("4.4.7");
    assertThat(RecipientReport.expired(CAROL, "451 4.3.0 Try later", null, AT).status()).hasToString("4.3.0");
  }

  @Test
  void delayIsFourZeroZeroUnlessTheReplySaysMore() {
    assertThat(RecipientReport.delayed(CAROL, null, null, AT, AT).status()).hasToString("4.0.0");
    assertThat(RecipientReport.delayed(CAROL, "421 4.7.0 Busy", null, AT, AT).status()).hasToString("4.7.0");
  }

  @Test
  void replyStatusOfTheWrongClassIsIgnored() {
    assertThat(RecipientReport.failed(CAROL, "450 4.2.0 Busy", null, AT).status()).hasToString("5.0.0");
  }

  @Test
  void localReasonIsNotTypedAsSmtpReply() {
    assertThat(RecipientReport.failed(CAROL, "connect to mx: Connection refused", null, AT).diagnosticIsSmtpReply()).isFalse();
    assertThat(RecipientReport.failed(CAROL, "550 5.1.1 x", null, AT).diagnosticIsSmtpReply()).isTrue();
  }

  @Test
  void statusThatContradictsTheActionIsRefused() {
    assertThatThrownBy(() -> new RecipientReport(CAROL, DsnAction.DELAYED, new EnhancedStatus(5, 1, 1), null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecipientReport(CAROL, DsnAction.FAILED, new EnhancedStatus(5, 1, 1), null, null, null, AT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void remoteMtaMustBeAHostName() {
    assertThatThrownBy(() -> RecipientReport.failed(CAROL, null, "mx.example.org\r\nX-Evil: 1", AT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
