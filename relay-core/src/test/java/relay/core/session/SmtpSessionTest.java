package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.envelope.Domain;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;

class SmtpSessionTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(1000, 3, 5, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10));

  private static InboundConnector connector(boolean requireTls, BareLineEndings bare) {
    return new InboundConnector(
        "printers", List.of(ClientNetwork.parse("192.0.2.0/24")), requireTls, Set.of(Domain.of("corp.example")),
        false, Set.of(Domain.of("corp.example"), Domain.of("partner.example")), bare, LIMITS);
  }

  private static SessionDriver driver(Optional<InboundConnector> connector, boolean tlsAvailable) {
    return new SessionDriver(new SmtpSession(new SessionContext(
        "relay.example", connector, "192.0.2.10", 40000, tlsAvailable, InstantSource.fixed(NOW), "S1")));
  }

  private static SessionDriver driver() {
    return driver(Optional.of(connector(false, BareLineEndings.NORMALIZE)), true);
  }

  @Test
  void greetsWith220NamingTheHost() {
    SmtpReply greeting = driver().session.connect().replies().getFirst();
    assertThat(greeting.toWire()).isEqualTo("220 relay.example ESMTP Relay\r\n");
  }

  @Test
  void clientWithoutConnectorGets554AndTheSessionCloses() {
    Transition t = driver().session.connect();
    SessionDriver refused = driver(Optional.empty(), true);
    Transition r = refused.session.connect();
    assertThat(t.closes()).isFalse();
    assertThat(r.replies()).containsExactly(Replies.CLIENT_NOT_ALLOWED);
    assertThat(r.replies().getFirst().toWire()).startsWith("554 5.7.1 ");
    assertThat(r.closes()).isTrue();
    assertThat(r.next().phase()).isEqualTo(SessionState.Phase.CLOSED);
    assertThatThrownBy(() -> refused.send("EHLO x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ehloListsExtensionsIncludingStartTlsWhenAvailable() {
    SmtpReply ehlo = driver().one("EHLO client.example");
    assertThat(ehlo.toWire())
        .isEqualTo("250-relay.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n"
            + "250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n250-CHUNKING\r\n250 STARTTLS\r\n");
  }

  @Test
  void ehloOmitsStartTlsWithoutACertificate() {
    SmtpReply ehlo = driver(Optional.of(connector(false, BareLineEndings.NORMALIZE)), false).one("EHLO c");
    assertThat(ehlo.lines()).doesNotContain("STARTTLS").contains("DSN");
  }

  @Test
  void heloGivesAPlain250WithoutExtensions() {
    assertThat(driver().one("HELO client.example").toWire()).isEqualTo("250 2.0.0 relay.example\r\n");
  }

  @Test
  void simpleCommandsGetTheirReplies() {
    SessionDriver d = driver();
    assertThat(d.one("NOOP").toWire()).startsWith("250 2.0.0");
    assertThat(d.one("HELP").toWire()).startsWith("214 2.0.0");
    assertThat(d.one("VRFY root").toWire()).startsWith("252 2.5.0");
    assertThat(d.one("RSET").toWire()).startsWith("250 2.0.0");
    assertThat(d.one("EXPN staff").toWire()).startsWith("500 5.5.1");
  }

  @Test
  void quitSays221AndCloses() {
    SessionDriver d = driver();
    assertThat(d.one("QUIT").toWire()).startsWith("221 2.0.0");
    assertThat(d.lastEffect()).isInstanceOf(Effect.Close.class);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.CLOSED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA"})
  void transactionCommandsBeforeEhloAreBadSequence(String line) {
    assertThat(driver().one(line)).isEqualTo(Replies.BAD_SEQUENCE);
  }

  @Test
  void rcptBeforeMailAndDataBeforeRcptAreBadSequence() {
    SessionDriver d = driver();
    d.send("EHLO c");
    assertThat(d.one("RCPT TO:<b@corp.example>")).isEqualTo(Replies.BAD_SEQUENCE);
    d.send("MAIL FROM:<a@corp.example>");
    assertThat(d.one("DATA")).isEqualTo(Replies.BAD_SEQUENCE);
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.BAD_SEQUENCE);
  }

  @Test
  void pipelinedTransactionGetsRepliesInOrder() {
    SessionDriver d = driver();
    List<SmtpReply> replies =
        d.send("EHLO c", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "RCPT TO:<x@elsewhere.example>",
            "RCPT TO:<c@partner.example>", "DATA");
    assertThat(replies).extracting(SmtpReplyCodes::code).containsExactly(250, 250, 250, 550, 250);
    assertThat(d.lastEffect()).isInstanceOf(Effect.OpenMessage.class);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.OPENING);
  }

  @Test
  void recipientDomainTheConnectorMayNotRelayToIsDenied() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>");
    SmtpReply denied = d.one("RCPT TO:<someone@gmail.example>");
    assertThat(denied.toWire()).isEqualTo("550 5.7.1 Relaying denied\r\n");
    assertThat(d.state.recipients()).isEmpty();
    assertThat(d.one("DATA")).isEqualTo(Replies.BAD_SEQUENCE);
  }

  @Test
  void postmasterIsAlwaysAccepted() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>");
    assertThat(d.one("RCPT TO:<postmaster>")).isEqualTo(Replies.RECIPIENT_OK);
  }

  @Test
  void senderDomainOutsideTheAllowedListIsDeniedButNullSenderIsAllowed() {
    SessionDriver d = driver();
    d.send("EHLO c");
    assertThat(d.one("MAIL FROM:<a@spoofed.example>").toWire()).startsWith("550 5.7.1");
    assertThat(d.one("MAIL FROM:<>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void declaredSizeAboveTheLimitGets552() {
    SessionDriver d = driver();
    d.send("EHLO c");
    assertThat(d.one("MAIL FROM:<a@corp.example> SIZE=1001").toWire()).startsWith("552 5.3.4");
    assertThat(d.one("MAIL FROM:<a@corp.example> SIZE=1000")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void recipientsBeyondTheLimitGet452AndDuplicatesAreKeptOnce() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>");
    assertThat(d.send("RCPT TO:<1@corp.example>", "RCPT TO:<1@corp.example>", "RCPT TO:<2@corp.example>",
            "RCPT TO:<3@corp.example>", "RCPT TO:<4@corp.example>"))
        .extracting(SmtpReplyCodes::code).containsExactly(250, 250, 250, 250, 452);
    assertThat(d.state.recipients()).extracting(r -> r.address().localPart()).containsExactly("1", "2", "3");
    assertThat(Replies.TOO_MANY_RECIPIENTS.toWire()).startsWith("452 4.5.3");
  }

  @Test
  void requireTlsRefusesMailUntilStartTls() {
    SessionDriver d = driver(Optional.of(connector(true, BareLineEndings.NORMALIZE)), true);
    d.send("EHLO c");
    assertThat(d.one("MAIL FROM:<a@corp.example>").toWire())
        .isEqualTo("530 5.7.0 Must issue a STARTTLS command first\r\n");
    assertThat(d.one("STARTTLS").toWire()).isEqualTo("220 2.0.0 Ready to start TLS\r\n");
    assertThat(d.lastEffect()).isInstanceOf(Effect.UpgradeTls.class);
    d.apply(d.session.tlsEstablished(d.state));
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.BAD_SEQUENCE);
    d.send("EHLO c");
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void startTlsForgetsTheTransactionAndIsNotOfferedOrAllowedAgain() {
    SessionDriver d = driver();
    d.send("EHLO c", "MAIL FROM:<a@corp.example>", "STARTTLS");
    d.apply(d.session.tlsEstablished(d.state));
    assertThat(d.state.helo()).isNull();
    assertThat(d.state.inTransaction()).isFalse();
    assertThat(d.state.tlsActive()).isTrue();
    assertThat(d.one("EHLO c").lines()).doesNotContain("STARTTLS");
    assertThat(d.one("STARTTLS")).isEqualTo(Replies.BAD_SEQUENCE);
  }

  @Test
  void startTlsWithoutACertificateIsNotImplemented() {
    SessionDriver d = driver(Optional.of(connector(false, BareLineEndings.NORMALIZE)), false);
    assertThat(d.one("STARTTLS").toWire()).startsWith("502 5.5.1");
  }

  @Test
  void tooManyErrorsEndTheSessionWith421() {
    SessionDriver d = driver();
    List<SmtpReply> replies = d.send("X1", "X2", "X3", "X4", "X5");
    assertThat(replies).hasSize(5);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
    List<SmtpReply> last = d.send("X6");
    assertThat(last).containsExactly(Replies.UNKNOWN_COMMAND, Replies.TOO_MANY_ERRORS);
    assertThat(last.getLast().toWire()).startsWith("421 4.7.0");
    assertThat(d.lastEffect()).isInstanceOf(Effect.Close.class);
  }

  @Test
  void sessionThatOnlyKeepsBusyIsClosedAfterTheJunkLimitAndMaxErrorsMore() {
    SessionDriver d = driver();
    for (int i = 0; i < SessionLimits.DEFAULT_JUNK_COMMANDS; i++) {
      assertThat(d.send(i % 2 == 0 ? "NOOP" : "RSET")).singleElement().isIn(Replies.OK, Replies.RESET);
    }
    // Past the limit each one is still answered, and counts as a failed command (5 allowed here).
    assertThat(d.send("VRFY a", "HELP", "EHLO x", "HELO x", "NOOP")).hasSize(5);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
    List<SmtpReply> last = d.send("NOOP");
    assertThat(last).containsExactly(Replies.OK, Replies.TOO_MANY_ERRORS);
    assertThat(d.lastEffect()).isInstanceOf(Effect.Close.class);
  }

  @Test
  void queuedMessageStartsTheJunkCountAgain() {
    SessionDriver d = driver();
    for (int i = 0; i < SessionLimits.DEFAULT_JUNK_COMMANDS - 1; i++) {
      d.send("RSET");
    }
    d.send("EHLO client.example", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA");
    d.apply(d.session.spoolOpened(d.state));
    d.apply(d.session.dataEnd(d.state, new DataSummary(10, false, false, false)));
    Envelope envelope = ((Effect.Commit) d.lastEffect()).envelope();
    d.apply(d.session.committed(d.state, new QueuedMessage(new MessageId("Q1"), envelope,
        envelope.recipients().stream().map(RecipientState::pending).toList(), 0, NOW, 10)));

    for (int i = 0; i < SessionLimits.DEFAULT_JUNK_COMMANDS; i++) {
      d.send("RSET");
    }
    assertThat(d.state.errors()).as("a sender that sends mail is never closed for its RSETs").isZero();
  }

  @Test
  void overlongCommandLineGets500LineTooLong() {
    SessionDriver d = driver();
    assertThat(d.apply(d.session.lineTooLong(d.state)).getFirst().toWire()).isEqualTo("500 5.5.6 Line too long\r\n");
    assertThat(d.state.errors()).isEqualTo(1);
  }

  private static SessionDriver inData(BareLineEndings bare) {
    SessionDriver d = driver(Optional.of(connector(false, bare)), true);
    d.send("EHLO client.example", "MAIL FROM:<a@corp.example> BODY=8BITMIME", "RCPT TO:<b@corp.example>", "DATA");
    assertThat(d.apply(d.session.spoolOpened(d.state))).containsExactly(Replies.START_DATA);
    return d;
  }

  @Test
  void dataFlowsThroughSpoolOpenDataEndAndCommitBeforeThe250() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    Effect.BeginData begin = (Effect.BeginData) d.lastEffect();
    assertThat(new String(begin.receivedHeader(), StandardCharsets.US_ASCII))
        .isEqualTo("Received: from client.example ([192.0.2.10])\r\n"
            + "\tby relay.example (Relay) with ESMTP id S1;\r\n\tWed, 4 Mar 2026 05:06:07 +0000\r\n");
    assertThat(begin.maxMessageSize()).isEqualTo(1000);
    assertThat(d.apply(d.session.dataEnd(d.state, new DataSummary(10, false, false, false)))).isEmpty();
    Envelope envelope = ((Effect.Commit) d.lastEffect()).envelope();
    assertThat(envelope.sender().address()).isEqualTo("a@corp.example");
    assertThat(envelope.client().inboundConnector()).isEqualTo("printers");
    assertThat(envelope.client().helo()).isEqualTo("client.example");
    assertThat(envelope.receivedAt()).isEqualTo(NOW);
    QueuedMessage queued = new QueuedMessage(new MessageId("Q42"), envelope,
        envelope.recipients().stream().map(RecipientState::pending).toList(), 0, NOW, 10);
    assertThat(d.apply(d.session.committed(d.state, queued)).getFirst().toWire())
        .isEqualTo("250 2.0.0 Ok queued as Q42\r\n");
    assertThat(d.state.inTransaction()).isFalse();
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void receivedHeaderSaysEsmtpsAfterStartTls() {
    SessionDriver d = driver();
    d.send("STARTTLS");
    d.apply(d.session.tlsEstablished(d.state));
    d.send("EHLO c", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA");
    d.apply(d.session.spoolOpened(d.state));
    assertThat(new String(((Effect.BeginData) d.lastEffect()).receivedHeader(), StandardCharsets.US_ASCII))
        .contains("with ESMTPS id S1;");
  }

  @Test
  void failedCommitGets451AndFullSpoolGets452() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    d.apply(d.session.dataEnd(d.state, new DataSummary(10, false, false, false)));
    assertThat(d.apply(d.session.commitFailed(d.state, SpoolFailure.ERROR)).getFirst().toWire()).startsWith("451 4.3.0");
    d.send("MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "DATA");
    assertThat(d.apply(d.session.spoolFailed(d.state, SpoolFailure.FULL)).getFirst().toWire()).startsWith("452 4.3.1");
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
  }

  @Test
  void oversizedMessageIsRefusedWith552AndAbandoned() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    List<SmtpReply> r = d.apply(d.session.dataEnd(d.state, new DataSummary(5000, true, false, false)));
    assertThat(r.getFirst().toWire()).startsWith("552 5.3.4");
    assertThat(d.lastEffect()).isInstanceOf(Effect.AbandonMessage.class);
  }

  @Test
  void overlongTextLineIsRefusedWith500LineTooLong() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    assertThat(d.apply(d.session.dataEnd(d.state, new DataSummary(5, false, true, false)))).containsExactly(Replies.LINE_TOO_LONG);
  }

  @Test
  void bareLineEndingIsRefusedOnlyWhenTheConnectorRejectsThem() {
    SessionDriver reject = inData(BareLineEndings.REJECT);
    assertThat(reject.apply(reject.session.dataEnd(reject.state, new DataSummary(5, false, false, true))).getFirst().toWire())
        .startsWith("550 5.6.11");
    SessionDriver normalize = inData(BareLineEndings.NORMALIZE);
    assertThat(normalize.apply(normalize.session.dataEnd(normalize.state, new DataSummary(5, false, false, true)))).isEmpty();
    assertThat(normalize.lastEffect()).isInstanceOf(Effect.Commit.class);
  }

  @Test
  void shutdownBetweenTransactionsGets421ButWaitsDuringData() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    assertThat(d.apply(d.session.shutdown(d.state))).isEmpty();
    d.apply(d.session.dataEnd(d.state, new DataSummary(5, true, false, false)));
    assertThat(d.apply(d.session.shutdown(d.state)).getFirst().toWire()).startsWith("421 4.3.2");
    assertThat(d.lastEffect()).isInstanceOf(Effect.Close.class);
  }

  @Test
  void timeoutGets421AndCloses() {
    SessionDriver d = inData(BareLineEndings.NORMALIZE);
    List<SmtpReply> r = d.apply(d.session.timeout(d.state));
    assertThat(r.getFirst().toWire()).startsWith("421 4.4.2");
    assertThat(d.lastEffect()).isInstanceOf(Effect.Close.class);
  }

  @Test
  void everyReplyExceptGreetingEhloAndIntermediate354CarriesAnEnhancedStatus() throws IllegalAccessException {
    for (var field : Replies.class.getFields()) {
      SmtpReply reply = (SmtpReply) field.get(null);
      if (reply != Replies.START_DATA) {
        assertThat(reply.status()).as(field.getName()).isNotNull();
      }
    }
  }
}
