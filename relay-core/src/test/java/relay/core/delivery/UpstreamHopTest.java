package relay.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import relay.core.reply.SmtpReply;

/** A hop's names go into header fields and log lines as they are: they must be single tokens. */
class UpstreamHopTest {

  @Test
  void nameWithALineBreakCannotStartAHeaderFieldOfItsOwn() {
    assertThatThrownBy(() -> UpstreamHop.plain("mx.example.org\r\nX-Evil: 1", "192.0.2.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamHop.plain("mx.example.org", "192.0.2.1 extra"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UpstreamHop.Tls("TLSv1.3", "TLS_AES\n", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lineNamesTheReplyAndTheHopWithTheMailboxSignedInAs() {
    UpstreamHop hop = new UpstreamHop("smtp.office365.com", "192.0.2.7",
        new UpstreamHop.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "smtp.office365.com"), null).signedInAs("hr@contoso.com");

    assertThat(new AttemptReport.Replied(SmtpReply.of(432, "4.3.2", "STOREDRV.ClientSubmit; sender thread limit exceeded"), hop).line())
        .isEqualTo("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded (smtp.office365.com[192.0.2.7] as hr@contoso.com)");
    assertThat(hop.tls()).hasToString("TLSv1.3 TLS_AES_256_GCM_SHA384");
  }

  @Test
  void localReasonIsOneLine() {
    assertThat(new AttemptReport.Local(LocalCause.CONNECTION_LOST, "reset\r\nby peer\n").reason()).isEqualTo("reset by peer");
  }
}
