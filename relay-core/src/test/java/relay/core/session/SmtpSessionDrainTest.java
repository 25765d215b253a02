package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.Domain;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.tracking.TrackingEvent;

/** A drained node refuses the next MAIL with 421 and ends the session; anything else goes on as usual. */
class SmtpSessionDrainTest {

  private static final SessionLimits LIMITS =
      new SessionLimits(1000, 3, 5, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10));

  private final SmtpSession session = new SmtpSession(new SessionContext("relay.example",
      Optional.of(new InboundConnector("printers", List.of(ClientNetwork.parse("192.0.2.0/24")), false,
          Set.of(Domain.of("corp.example")), false, Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, LIMITS)),
      "192.0.2.10", 40000, false, InstantSource.fixed(Instant.parse("2026-12-07T06:00:00Z")), "S1"));

  @Test
  void mailOnADrainedNodeGets421AndTheSessionCloses() {
    SessionState greeted = session.command(session.connect().next(), "EHLO printer", Intake.DRAINED).next();

    Transition t = session.command(greeted, "MAIL FROM:<scan@corp.example>", Intake.DRAINED);

    assertThat(t.replies()).containsExactly(Replies.DRAINED);
    assertThat(t.replies().getFirst().toWire()).isEqualTo("421 4.3.2 Service not available, try another host\r\n");
    assertThat(t.closes()).isTrue();
    assertThat(t.effects()).first().isInstanceOfSatisfying(Effect.Track.class, track ->
        assertThat(((TrackingEvent.Rejected) track.event()).reason()).contains("drained"));
  }

  @Test
  void aTransactionUnderWayFinishesOnADrainedNode() {
    SessionState s = session.command(session.connect().next(), "EHLO printer", Intake.OPEN).next();
    s = session.command(s, "MAIL FROM:<scan@corp.example>", Intake.OPEN).next();

    Transition rcpt = session.command(s, "RCPT TO:<boss@corp.example>", Intake.DRAINED);

    assertThat(rcpt.replies()).containsExactly(Replies.RECIPIENT_OK);
    assertThat(rcpt.closes()).isFalse();
  }
}
