package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.session.SessionLimits;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog;

class SmtpListenerTest {

  private static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(64L << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1));

  @TempDir Path dir;
  private TestSpool spool;
  private SmtpListener listener;
  private TestPki pki;
  private final List<QueuedMessage> handedOver = new CopyOnWriteArrayList<>();

  private SessionLimits limits = LIMITS;

  private InboundConnector connector(String... networks) {
    return new InboundConnector(
        "lan", java.util.Arrays.stream(networks).map(ClientNetwork::parse).toList(), false, Set.of(), false,
        Set.of(Domain.of("corp.example"), Domain.of("partner.example")), BareLineEndings.NORMALIZE, limits);
  }

  private int start(int perClient, String... networks) throws Exception {
    pki = new TestPki();
    spool = new TestSpool(dir);
    ListenerSettings settings = new ListenerSettings(
        "smtp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "relay.test",
        List.of(connector(networks)), Optional.of(pki.serverContext()), 100, perClient);
    listener = new SmtpListener(settings, spool, handedOver::add, new ProtocolLog(), RelayMetrics.NONE, InstantSource.fixed(NOW));
    listener.start();
    return listener.port();
  }

  private int start() throws Exception {
    return start(10, "127.0.0.0/8", "::1/128");
  }

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
  }

  private Session mailSession(int port, boolean startTls) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.localhost", "printer.corp.example");
    p.put("mail.smtp.timeout", "20000");
    if (startTls) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session session) throws Exception {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("scanner@corp.example"));
    m.setRecipients(Message.RecipientType.TO, "boss@corp.example, ext@partner.example");
    m.setSubject("Scan 42");
    m.setText("Page one\r\n.leading dot\r\n..two dots\r\nend\r\n");
    m.saveChanges();
    return m;
  }

  private static String expectedReceived(String with, String sessionIdPattern) {
    return "Received: from printer.corp.example ([127.0.0.1])\r\n\tby relay.test (Relay) with " + with
        + " id " + sessionIdPattern + ";\r\n\tWed, 6 May 2026 07:08:09 +0000\r\n";
  }

  private void sendWithAngus(boolean startTls, String with) throws Exception {
    int port = start();
    Session session = mailSession(port, startTls);
    MimeMessage m = message(session);
    ByteArrayOutputStream original = new ByteArrayOutputStream();
    m.writeTo(original);
    String lastReply;
    try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
      t.connect();
      t.sendMessage(m, m.getAllRecipients());
      lastReply = t.getLastServerResponse().strip();
    }
    assertThat(spool.messages()).hasSize(1);
    QueuedMessage q = spool.messages().getFirst();
    assertThat(lastReply).isEqualTo("250 2.0.0 Ok queued as " + q.id());
    assertThat(handedOver).containsExactly(q);
    String stored = new String(spool.content(q), StandardCharsets.UTF_8);
    int headerEnd = stored.indexOf("+0000\r\n") + 7;
    assertThat(stored.substring(0, headerEnd).replaceFirst(" id [0-9a-z]+;", " id ID;"))
        .isEqualTo(expectedReceived(with, "ID"));
    assertThat(stored.substring(headerEnd)).isEqualTo(original.toString(StandardCharsets.UTF_8));
    assertThat(q.envelope().sender().address()).isEqualTo("scanner@corp.example");
    assertThat(q.envelope().recipients()).extracting(r -> r.address().address())
        .containsExactly("boss@corp.example", "ext@partner.example");
    assertThat(q.envelope().client().tls()).isEqualTo(startTls);
    assertThat(q.bodySize()).isEqualTo(spool.content(q).length);
  }

  @Test
  void angusMailMessageIsQueuedByteExactWithAReceivedHeader() throws Exception {
    sendWithAngus(false, "ESMTP");
  }

  @Test
  void angusMailOverStartTlsTrustingTheTestCertificateIsQueuedAsEsmtps() throws Exception {
    sendWithAngus(true, "ESMTPS");
  }

  @Test
  void clientOutsideEveryConnectorGets554AndIsDisconnected() throws Exception {
    int port = start(10, "10.0.0.0/8");
    try (RawClient c = new RawClient(port)) {
      assertThat(c.reply()).startsWith("554 5.7.1 ");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void relayingToAForeignDomainIsRefusedInSession() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer\r\n");
      c.replyLines();
      c.send("MAIL FROM:<scanner@corp.example>\r\n");
      assertThat(c.reply()).startsWith("250 2.1.0");
      c.send("RCPT TO:<victim@gmail.example>\r\n");
      assertThat(c.reply()).isEqualTo("550 5.7.1 Relaying denied");
      c.send("DATA\r\n");
      assertThat(c.reply()).startsWith("503 5.5.1");
    }
    assertThat(spool.messages()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n"})
  void bareLineEndingDotNeverSmugglesASecondMessage(String payload) throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<b@corp.example>\r\nDATA\r\n");
      assertThat(c.replyLines().getFirst()).isEqualTo("250-relay.test");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).startsWith("354");
      c.send("Subject: first\r\n\r\nbody" + payload
          + "MAIL FROM:<evil@corp.example>\r\nRCPT TO:<victim@partner.example>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\nQUIT\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
      assertThat(c.reply()).startsWith("221 2.0.0");
    }
    assertThat(spool.messages()).hasSize(1);
    String stored = new String(spool.content(spool.messages().getFirst()), StandardCharsets.ISO_8859_1);
    assertThat(stored).contains("MAIL FROM:<evil@corp.example>\r\nRCPT TO:<victim@partner.example>\r\nDATA\r\nSubject: smuggled");
    assertThat(spool.messages().getFirst().envelope().recipients()).hasSize(1);
  }

  @Test
  void clientThatOnlySendsNoopsAndRsetsIsClosedWith421InsteadOfKeptForever() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("NOOP\r\nRSET\r\n".repeat(1_000)); // 2,000 commands in one write, as a flood arrives
      int answered = 0;
      String reply;
      do {
        reply = c.reply();
        answered++;
      } while (reply.startsWith("250"));
      assertThat(reply).startsWith("421 4.7.0");
      assertThat(answered).as("100 allowed, then max-errors (10) more").isBetween(110, 113);
      boolean closed;
      try {
        closed = c.closedByServer();
      } catch (java.net.SocketException reset) {
        closed = true; // closed with the rest of the flood unread: the peer sees a reset
      }
      assertThat(closed).isTrue();
    }
  }

  @Test
  void wholeTransactionSentInOneWriteGetsEveryReplyInOrder() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<b@corp.example>\r\nRCPT TO:<x@else.example>\r\n"
          + "DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nNOOP\r\nQUIT\r\n");
      assertThat(c.replyLines()).contains("250-PIPELINING", "250-SIZE 67108864", "250 STARTTLS");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).startsWith("550 5.7.1");
      assertThat(c.reply()).startsWith("354 ");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as T1");
      assertThat(c.reply()).startsWith("250 2.0.0");
      assertThat(c.reply()).startsWith("221 2.0.0");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(spool.messages()).hasSize(1);
  }

  @Test
  void bytesPipelinedAfterStartTlsAreDiscarded() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer\r\n");
      c.replyLines();
      c.send("STARTTLS\r\nNOOP\r\nMAIL FROM:<a@corp.example>\r\n");
      assertThat(c.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
      c.startTls(pki.clientContext());
      c.send("EHLO printer\r\n");
      List<String> ehlo = c.replyLines();
      assertThat(ehlo.getFirst()).isEqualTo("250-relay.test");
      assertThat(ehlo).doesNotContain("250-STARTTLS", "250 STARTTLS");
      c.send("RCPT TO:<b@corp.example>\r\n");
      assertThat(c.reply()).startsWith("503 5.5.1");
    }
  }

  @Test
  void connectionsBeyondThePerClientLimitGet421() throws Exception {
    int port = start(1, "127.0.0.0/8", "::1/128");
    try (RawClient first = new RawClient(port)) {
      // The second connection opens only once the first holds the slot: accepted channels may be
      // set up on different event loops, so two connections opened together are admitted in either order.
      assertThat(first.reply()).startsWith("220 relay.test");
      try (RawClient second = new RawClient(port)) {
        assertThat(second.reply()).startsWith("421 4.7.0");
        assertThat(second.closedByServer()).isTrue();
      }
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      try (RawClient third = new RawClient(port)) {
        assertThat(third.reply()).startsWith("220 ");
      }
    });
  }

  private void transactionUpToData(RawClient c) throws Exception {
    c.reply();
    c.send("EHLO printer\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<b@corp.example>\r\n");
    c.replyLines();
    c.reply();
    c.reply();
    c.send("DATA\r\n");
  }

  @Test
  void fullSpoolRefusesDataWith452() throws Exception {
    int port = start();
    spool.mode.set(TestSpool.Mode.FULL);
    try (RawClient c = new RawClient(port)) {
      transactionUpToData(c);
      assertThat(c.reply()).startsWith("452 4.3.1");
    }
  }

  @Test
  void failedCommitGets451AndLeavesNothingQueued() throws Exception {
    int port = start();
    spool.mode.set(TestSpool.Mode.FAIL_COMMIT);
    try (RawClient c = new RawClient(port)) {
      transactionUpToData(c);
      assertThat(c.reply()).startsWith("354");
      c.send("Subject: x\r\n\r\nbody\r\n.\r\n");
      assertThat(c.reply()).isEqualTo("451 4.3.0 Local error in processing, try again later");
    }
    assertThat(spool.messages()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> spool.openTransactions.get() == 0);
  }

  @Test
  void overlongCommandLineGets500AndTheSessionStaysInStep() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("NOOP " + "x".repeat(5000) + "\r\nNOOP\r\n");
      assertThat(c.reply()).isEqualTo("500 5.5.6 Line too long");
      assertThat(c.reply()).startsWith("250 2.0.0");
    }
  }

  @Test
  void silentClientGets421AfterTheIdleTimeout() throws Exception {
    limits = new SessionLimits(1 << 20, 10, 10, 1024, 1000, Duration.ofMillis(300), Duration.ofMinutes(1));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      assertThat(c.reply()).startsWith("421 4.4.2");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void clientStallingInDataGets421AfterTheDataTimeoutAndNothingIsQueued() throws Exception {
    limits = new SessionLimits(1 << 20, 10, 10, 1024, 1000, Duration.ofMinutes(1), Duration.ofMillis(300));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      transactionUpToData(c);
      assertThat(c.reply()).startsWith("354");
      c.send("Subject: half a message\r\n");
      assertThat(c.reply()).startsWith("421 4.4.2");
    }
    assertThat(spool.messages()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> spool.openTransactions.get() == 0);
  }

  @Test
  void fiftyMebibyteMessageStreamsToTheSpool() throws Exception {
    int port = start();
    byte[] line = ("x".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    int lines = 50 * 1024 * 1024 / line.length;
    try (RawClient c = new RawClient(port)) {
      transactionUpToData(c);
      assertThat(c.reply()).startsWith("354");
      byte[] block = new byte[line.length * 64];
      for (int i = 0; i < 64; i++) {
        System.arraycopy(line, 0, block, i * line.length, line.length);
      }
      for (int i = 0; i < lines / 64; i++) {
        c.send(block);
      }
      c.send(".\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    QueuedMessage q = spool.messages().getFirst();
    long content = (long) (lines / 64) * 64 * line.length;
    assertThat(q.bodySize()).isGreaterThan(content).isLessThan(content + 300);
  }
}
