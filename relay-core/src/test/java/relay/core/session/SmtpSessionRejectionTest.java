package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.connector.Secret;
import relay.core.envelope.Domain;
import relay.core.envelope.MailPath;
import relay.core.metrics.SmtpStage;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundAuth;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.header.HeaderSection;
import relay.core.tracking.TrackingEvent;

/**
 * Every in-session refusal is handed out as a {@code rejected} tracking event naming the client,
 * connector, session, what the transaction knew and the reply; the {@code received} event carries
 * what a message trace needs (Message-ID, Subject, AUTH user, TLS).
 */
class SmtpSessionRejectionTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(1000, 2, 10, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10), 100);
  private static final String PASSWORD = "pa55-w0rd-never-logged";

  private static InboundConnector connector(boolean requireTls, InboundAuth auth) {
    return new InboundConnector(
        "printers", List.of(ClientNetwork.parse("192.0.2.0/24")), requireTls, Set.of(Domain.of("corp.example")),
        false, Set.of(Domain.of("corp.example")), BareLineEndings.REJECT, LIMITS, auth);
  }

  private static SessionDriver driver(Optional<InboundConnector> connector) {
    return new SessionDriver(new SmtpSession(new SessionContext(
        "relay.example", connector, "192.0.2.10", 40000, true, InstantSource.fixed(NOW), "S1",
        RoutingSnapshot.single("default"))));
  }

  private static SessionDriver driver() {
    return driver(Optional.of(connector(false, InboundAuth.NONE)));
  }

  private static List<TrackingEvent.Rejected> rejections(SessionDriver d) {
    return d.effects.stream().filter(e -> e instanceof Effect.Track).map(e -> ((Effect.Track) e).event())
        .filter(e -> e instanceof TrackingEvent.Rejected).map(e -> (TrackingEvent.Rejected) e).toList();
  }

  private static TrackingEvent.Rejected onlyRejection(SessionDriver d) {
    assertThat(rejections(d)).hasSize(1);
    TrackingEvent.Rejected r = rejections(d).getFirst();
    assertThat(r.at()).isEqualTo(NOW);
    assertThat(r.session()).isEqualTo("S1");
    assertThat(r.client()).isEqualTo("192.0.2.10");
    return r;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aClientNoConnectorAdmitsIsRecordedAtConnectWithoutAConnector() {
    TrackingEvent.Rejected r = onlyRejection(driver(Optional.empty()));
    assertThat(r.stage()).isEqualTo(SmtpStage.CONNECT);
    assertThat(r.connector()).isNull();
    assertThat(r.reply()).isEqualTo(Replies.CLIENT_NOT_ALLOWED);
    assertThat(r.reason()).contains("192.0.2.10");
  }

  @Test
  void relayDeniedNamesTheSenderTheRecipientAndTheConnector() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<scan@corp.example>");
    assertThat(d.one("RCPT TO:<x@elsewhere.example>")).isEqualTo(Replies.RELAY_DENIED);

    TrackingEvent.Rejected r = onlyRejection(d);
    assertThat(r.stage()).isEqualTo(SmtpStage.RCPT);
    assertThat(r.connector()).isEqualTo("printers");
    assertThat(r.sender()).isEqualTo(MailPath.parse("scan@corp.example"));
    assertThat(r.recipient()).isEqualTo(MailPath.parse("x@elsewhere.example"));
    assertThat(r.reason()).contains("elsewhere.example").contains("may not relay");
  }

  @Test
  void aSenderDomainNotAllowedIsRecordedWithTheRefusedSender() {
    SessionDriver d = driver();
    d.send("EHLO c");
    assertThat(d.one("MAIL FROM:<x@spoofed.example>")).isEqualTo(Replies.SENDER_DENIED);

    TrackingEvent.Rejected r = onlyRejection(d);
    assertThat(r.stage()).isEqualTo(SmtpStage.MAIL);
    assertThat(r.sender()).isEqualTo(MailPath.parse("x@spoofed.example"));
    assertThat(r.recipient()).isNull();
  }

  @Test
  void tlsRequiredAndADeclaredSizeOverTheLimitAreRecordedAtMail() {
    SessionDriver tls = driver(Optional.of(connector(true, InboundAuth.NONE)));
    tls.send("EHLO c");
    assertThat(tls.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.TLS_REQUIRED);
    assertThat(onlyRejection(tls).stage()).isEqualTo(SmtpStage.MAIL);

    SessionDriver size = driver();
    size.send("EHLO c");
    assertThat(size.one("MAIL FROM:<a@corp.example> SIZE=5000")).isEqualTo(Replies.MESSAGE_TOO_BIG);
    assertThat(onlyRejection(size).reason()).contains("5000").contains("1000");
  }

  @Test
  void tooManyRecipientsIsRecordedForTheRecipientRefused() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "RCPT TO:<c@corp.example>");
    assertThat(d.one("RCPT TO:<d@corp.example>")).isEqualTo(Replies.TOO_MANY_RECIPIENTS);
    assertThat(onlyRejection(d).recipient()).isEqualTo(MailPath.parse("d@corp.example"));
  }

  @Test
  void aMessageOverTheSizeLimitAndBareLineEndingsAreRecordedAtData() {
    for (DataSummary summary : List.of(new DataSummary(5000, true, false, false), new DataSummary(5, false, false, true))) {
      SessionDriver d = driver();
      d.send("EHLO c", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA");
      d.apply(d.session.spoolOpened(d.state));
      d.apply(d.session.dataEnd(d.state, summary));
      TrackingEvent.Rejected r = onlyRejection(d);
      assertThat(r.stage()).isEqualTo(SmtpStage.DATA);
      assertThat(r.sender()).isEqualTo(MailPath.parse("a@corp.example"));
      assertThat(d.lastEffect()).isInstanceOf(Effect.AbandonMessage.class);
    }
  }

  @Test
  void aFailedCommitIsRecordedAsARefusal() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA");
    d.apply(d.session.spoolOpened(d.state));
    d.apply(d.session.dataEnd(d.state, new DataSummary(5, false, false, false)));
    d.apply(d.session.commitFailed(d.state, SpoolFailure.FULL));
    assertThat(onlyRejection(d).reply()).isEqualTo(Replies.SPOOL_FULL);
  }

  @Test
  void aWrongPasswordForAKnownUserNamesTheUserButNeverThePasswordOrTheExchange() {
    InboundAuth auth = new InboundAuth(Map.of("scanner", Secret.of("right")), false, true, true);
    SessionDriver d = driver(Optional.of(connector(false, auth)));
    d.send("EHLO c");
    String response = b64("\0scanner\0" + PASSWORD);
    assertThat(d.one("AUTH PLAIN " + response)).isEqualTo(Replies.AUTH_INVALID);

    TrackingEvent.Rejected r = onlyRejection(d);
    assertThat(r.stage()).isEqualTo(SmtpStage.AUTH);
    assertThat(r.user()).isEqualTo("scanner");
    assertThat(r.toString()).doesNotContain(PASSWORD).doesNotContain(response);
  }

  @Test
  void anUnknownUserNameIsNotRecordedItMightBeAPasswordTypedIntoTheWrongField() {
    InboundAuth auth = new InboundAuth(Map.of("scanner", Secret.of("right")), false, true, true);
    SessionDriver d = driver(Optional.of(connector(false, auth)));
    d.send("EHLO c", "AUTH LOGIN", b64(PASSWORD));
    assertThat(d.one(b64("whatever"))).isEqualTo(Replies.AUTH_INVALID);

    TrackingEvent.Rejected r = onlyRejection(d);
    assertThat(r.user()).isNull();
    assertThat(r.toString()).doesNotContain(PASSWORD).doesNotContain("whatever");
  }

  @Test
  void syntaxAndSequenceErrorsAreNotRecorded() {
    SessionDriver d = driver();
    d.send("EHLO c", "RCPT TO:<b@corp.example>", "MAIL FROM:<bad", "FOO");
    assertThat(rejections(d)).isEmpty();
  }

  @Test
  void receivedCarriesMessageIdCleanSubjectUserAndTheTlsOfTheSession() {
    InboundAuth auth = new InboundAuth(Map.of("scanner", Secret.of("right")), false, true, false);
    SessionDriver d = driver(Optional.of(connector(false, auth)));
    d.send("EHLO c", "STARTTLS");
    d.apply(d.session.tlsEstablished(d.state, new SessionTls("TLSv1.3", "TLS_AES_128_GCM_SHA256")));
    d.send("EHLO c", "AUTH PLAIN " + b64("\0scanner\0right"), "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>",
        "DATA");
    d.apply(d.session.spoolOpened(d.state));
    String subject = "Scan\u0007 " + "x".repeat(300);
    HeaderSection headers = HeaderSection.parse(("Message-ID: <scan-1@printer.corp.example>\r\nSubject: " + subject
        + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    d.apply(d.session.dataEnd(d.state, new DataSummary(50, false, false, false), headers));

    TrackingEvent.Received received = d.effects.stream().filter(e -> e instanceof Effect.Track)
        .map(e -> ((Effect.Track) e).event()).filter(e -> e instanceof TrackingEvent.Received)
        .map(e -> (TrackingEvent.Received) e).findFirst().orElseThrow();
    assertThat(received.messageId()).isEqualTo("<scan-1@printer.corp.example>");
    assertThat(received.subject()).startsWith("Scan xxx").hasSize(TrackingEvent.Received.SUBJECT_CHARS)
        .doesNotContain("\u0007");
    assertThat(received.user()).isEqualTo("scanner");
    assertThat(received.tls()).isEqualTo(new SessionTls("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
  }

  @Test
  void implicitTlsDetailsArriveAfterTheGreetingAndAPlainSessionHasNone() {
    SessionDriver plain = driver();
    assertThat(plain.state.tls()).isNull();

    SmtpSession session = new SmtpSession(new SessionContext(
        "relay.example", Optional.of(connector(false, InboundAuth.NONE)), "192.0.2.10", 40000, false,
        InstantSource.fixed(NOW), "S2"));
    SessionState greeted = session.connect(true).next();
    SessionState known = session.implicitTlsEstablished(greeted, new SessionTls("TLSv1.2", "TLS_ECDHE_X")).next();
    assertThat(known.tls().protocol()).isEqualTo("TLSv1.2");
    assertThat(known.phase()).isEqualTo(greeted.phase());
  }
}
