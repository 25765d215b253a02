package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.AcceptedDomainType;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.RemoteDomains;
import relay.core.routing.Router;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleEngine;
import relay.core.routing.rule.RuleMode;
import relay.core.session.SessionLimits;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.TrackingEvent;

/**
 * CHUNKING (RFC 3030) end to end: a real listener, a real socket and a hand-written BDAT client
 * (neither Angus Mail nor Python's smtplib sends BDAT), checking what reaches the spool byte for byte.
 */
class SmtpListenerChunkingTest {

  private static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");
  private static final String RECEIVED_START = "Received: from printer.corp.example ([127.0.0.1])\r\n";

  @TempDir Path dir;
  private TestSpool spool;
  private SmtpListener listener;
  private final List<String> protocol = new CopyOnWriteArrayList<>();
  private final List<TrackingEvent> tracked = new CopyOnWriteArrayList<>();
  private SessionLimits limits =
      new SessionLimits(64L << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1));
  private RoutingSnapshot routing = RoutingSnapshot.single("default");

  private int start() throws Exception {
    spool = new TestSpool(dir);
    InboundConnector lan = new InboundConnector(
        "lan", List.of(ClientNetwork.parse("127.0.0.0/8"), ClientNetwork.parse("::1/128")), false, Set.of(), false,
        Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, limits);
    ListenerSettings settings = new ListenerSettings(
        "smtp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "relay.test", List.of(lan), Optional.empty(),
        100, 10);
    listener = new SmtpListener(settings, spool, m -> {}, new ProtocolLog(protocol::add), RelayMetrics.NONE,
        InstantSource.fixed(NOW), () -> routing, tracked::add);
    listener.start();
    return listener.port();
  }

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
  }

  /** One BDAT command and its octets, exactly as RFC 3030 frames them. */
  private static byte[] bdat(byte[] content, boolean last) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("BDAT " + content.length + (last ? " LAST" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] bdat(String content, boolean last) {
    return bdat(content.getBytes(StandardCharsets.ISO_8859_1), last);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Greeting, EHLO, MAIL and RCPT, each answered. */
  private static void envelope(RawClient c) throws Exception {
    c.reply();
    c.send("EHLO printer.corp.example\r\n");
    c.replyLines();
    transaction(c);
  }

  private static void transaction(RawClient c) throws Exception {
    c.send("MAIL FROM:<scanner@corp.example>\r\nRCPT TO:<boss@corp.example>\r\n");
    assertThat(c.reply()).startsWith("250 2.1.0");
    assertThat(c.reply()).startsWith("250 2.1.5");
  }

  /** The spooled bytes after the Received header this relay adds (which ends at the time zone). */
  private byte[] contentAfterReceived(QueuedMessage q) throws Exception {
    byte[] stored = spool.content(q);
    String text = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith(RECEIVED_START);
    int end = text.indexOf("+0000\r\n") + 7;
    return Arrays.copyOfRange(stored, end, stored.length);
  }

  private void noTransactionLeftOpen() {
    await().atMost(Duration.ofSeconds(10)).until(() -> spool.openTransactions.get() == 0);
  }

  @Test
  void ehloAdvertisesChunkingButNotBinaryMime() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer\r\n");
      assertThat(c.replyLines()).contains("250-PIPELINING", "250-8BITMIME", "250 CHUNKING")
          .noneMatch(l -> l.contains("BINARYMIME"));
      c.send("MAIL FROM:<a@corp.example> BODY=BINARYMIME\r\n");
      assertThat(c.reply()).startsWith("555 5.5.4");
    }
  }

  @Test
  void messageInOneLastChunkIsQueuedByteExactAfterTheReceivedHeader() throws Exception {
    int port = start();
    String message = "From: scanner@corp.example\r\nSubject: Scan 42\r\n\r\nPage one\r\n";
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(bdat(message, true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as T1");
    }
    QueuedMessage q = spool.messages().getFirst();
    assertThat(new String(contentAfterReceived(q), StandardCharsets.ISO_8859_1)).isEqualTo(message);
    assertThat(new String(spool.content(q), StandardCharsets.ISO_8859_1))
        .startsWith(RECEIVED_START + "\tby relay.test (Relay) with ESMTP id ");
    assertThat(q.bodySize()).isEqualTo(spool.content(q).length);
    assertThat(tracked).filteredOn(e -> e instanceof TrackingEvent.Received).singleElement()
        .satisfies(e -> assertThat(((TrackingEvent.Received) e).size()).isEqualTo(message.length()));
  }

  @Test
  void chunksWithTheHeaderSplitAcrossThemArriveExactlyAsSentAndTheProtocolLogHoldsNoContent() throws Exception {
    int port = start();
    String[] chunks = {"From: scanner@corp.example\r\nSubj", "ect: Quarterly rep", "ort\r", "\n\r\nbody line\r\n", "last line\r\n"};
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      for (int i = 0; i < chunks.length - 1; i++) {
        c.send(bdat(chunks[i], false));
        assertThat(c.reply()).isEqualTo("250 2.0.0 " + chunks[i].length() + " octets received");
      }
      c.send(bdat(chunks[chunks.length - 1], false));
      assertThat(c.reply()).startsWith("250 2.0.0 ");
      c.send(bdat("", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as T1");
    }
    assertThat(new String(contentAfterReceived(spool.messages().getFirst()), StandardCharsets.ISO_8859_1))
        .isEqualTo(String.join("", chunks));
    assertThat(protocol).anyMatch(l -> l.endsWith(" IN BDAT 32"))
        .anyMatch(l -> l.endsWith(" IN BDAT 0 LAST"))
        .anyMatch(l -> l.endsWith(" OUT 250 2.0.0 32 octets received"))
        .anyMatch(l -> l.endsWith(" IN <chunk content: 32 octets>"))
        .noneMatch(l -> l.contains("Quarterly") || l.contains("body line"));
  }

  @Test
  void subjectRuleMatchesAHeaderSplitAcrossChunks() throws Exception {
    routing = new RoutingSnapshot(new RuleEngine(
        List.of(new Rule("no secrets", 1, RuleMode.ENFORCE, List.of(new Condition.SubjectContains(List.of("secret"))),
            List.of(), List.of(Action.Reject.of(550, "5.7.1", "No secrets please")), false)),
        new Router(List.of(ConnectorScope.byDomain("default", "corp.example"))),
        new AcceptedDomains(List.of(AcceptedDomain.of("corp.example", AcceptedDomainType.AUTHORITATIVE)))),
        new RemoteDomains(List.of()));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(concat(bdat("Subject: top sec", false), bdat("ret\r\n\r\nbody\r\n", true)));
      assertThat(c.reply()).startsWith("250 2.0.0 16 octets");
      assertThat(c.reply()).isEqualTo("550 5.7.1 No secrets please");
      transaction(c);
      c.send(bdat("Subject: holiday\r\n\r\nbody\r\n", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(spool.messages()).hasSize(1);
    noTransactionLeftOpen();
  }

  @Test
  void bdatZeroLastAloneIsAnEmptyMessage() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send("BDAT 0 LAST\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(contentAfterReceived(spool.messages().getFirst())).isEmpty();
  }

  @Test
  void wholePipelinedSessionInOneWriteGetsEveryReplyInOrder() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send(concat(
          "EHLO printer.corp.example\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<b@corp.example>\r\n".getBytes(StandardCharsets.US_ASCII),
          bdat("Subject: one\r\n\r\nNOOP\r\n", false), bdat("QUIT\r\n", false), bdat("", true),
          "MAIL FROM:<a@corp.example>\r\nRCPT TO:<b@corp.example>\r\n".getBytes(StandardCharsets.US_ASCII),
          bdat("Subject: two\r\n\r\n.\r\n", true),
          "NOOP\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.replyLines()).contains("250 CHUNKING");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).isEqualTo("250 2.0.0 22 octets received");
      assertThat(c.reply()).isEqualTo("250 2.0.0 6 octets received");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok queued as T1");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok queued as T2");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.reply()).startsWith("221 2.0.0");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(new String(contentAfterReceived(spool.messages().get(0)), StandardCharsets.ISO_8859_1))
        .isEqualTo("Subject: one\r\n\r\nNOOP\r\nQUIT\r\n");
    assertThat(new String(contentAfterReceived(spool.messages().get(1)), StandardCharsets.ISO_8859_1))
        .isEqualTo("Subject: two\r\n\r\n.\r\n");
  }

  @Test
  void binaryOctetsAreStoredExactlyAsSent() throws Exception {
    int port = start();
    byte[] content = concat("Subject: raw\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        new byte[] {0, 1, 'a', '\n', 'b', '\r', 'c', '\r', '\n', '.', '\r', '\n', '.', '.', '\n', '.', '\n', (byte) 0xff, (byte) 0x80},
        "\r\n.\r\nMAIL FROM:<x@corp.example>\r\n".getBytes(StandardCharsets.US_ASCII));
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(concat(bdat(Arrays.copyOfRange(content, 0, 20), false), bdat(Arrays.copyOfRange(content, 20, content.length), true)));
      assertThat(c.reply()).isEqualTo("250 2.0.0 20 octets received");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
      c.send("NOOP\r\n");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(spool.messages()).hasSize(1);
    assertThat(contentAfterReceived(spool.messages().getFirst())).isEqualTo(content);
  }

  @Test
  void chunkTakingTheMessagePastTheLimitGets552AndTheSessionGoesOn() throws Exception {
    limits = new SessionLimits(1000, 50, 10, 1024, 1000, Duration.ofMinutes(1), Duration.ofMinutes(1));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(concat(bdat("x".repeat(600), false), bdat("y".repeat(500), false), bdat("z".repeat(100), true)));
      assertThat(c.reply()).isEqualTo("250 2.0.0 600 octets received");
      assertThat(c.reply()).startsWith("552 5.3.4 ");
      assertThat(c.reply()).as("pipelined after the refusal: read, discarded, answered alike").startsWith("552 5.3.4 ");
      noTransactionLeftOpen();
      transaction(c);
      c.send(bdat("Subject: small\r\n\r\nfits\r\n", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(spool.messages()).hasSize(1);
    assertThat(new String(contentAfterReceived(spool.messages().getFirst()), StandardCharsets.ISO_8859_1)).contains("fits");
  }

  @Test
  void announcedChunkFarPastTheLimitGets552AndTheConnectionClosesWithoutReadingIt() throws Exception {
    limits = new SessionLimits(1000, 50, 10, 1024, 1000, Duration.ofMinutes(1), Duration.ofMinutes(1));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send("BDAT 1000000000 LAST\r\n" + "x".repeat(2000));
      assertThat(c.reply()).startsWith("552 5.3.4 ");
      boolean closed;
      try {
        closed = c.closedByServer();
      } catch (SocketException reset) {
        closed = true; // closed with unread octets: the peer may see a reset
      }
      assertThat(closed).isTrue();
    }
    assertThat(spool.messages()).isEmpty();
    assertThat(spool.begins.get()).isZero();
  }

  @Test
  void bdatBeforeMailIsAnswered503AfterItsOctetsWhichAreNeverReadAsCommands() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      c.reply();
      c.send("EHLO printer.corp.example\r\n");
      c.replyLines();
      c.send(concat(bdat("MAIL FROM:<evil@corp.example>\r\n", false), bdat("QUIT\r\n", true), "NOOP\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.reply()).startsWith("503 5.5.1");
      assertThat(c.reply()).startsWith("503 5.5.1");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
      c.send(concat(bdat("RSET\r\n", false), "MAIL FROM:<a@corp.example>\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.reply()).startsWith("503 5.5.1");
      assertThat(c.reply()).as("MAIL waits for RSET after a failed chunk").startsWith("503 5.5.1");
      assertThat(c.reply()).startsWith("250 2.0.0 Reset");
      transaction(c);
      c.send(bdat("Subject: fine\r\n\r\n", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(spool.messages()).hasSize(1);
  }

  @Test
  void dataAfterAChunkGets503AndTheChunkedMessageCanStillEnd() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(bdat("Subject: mixed\r\n\r\n", false));
      assertThat(c.reply()).startsWith("250 2.0.0 18 octets");
      c.send("DATA\r\n");
      assertThat(c.reply()).startsWith("503 5.5.1");
      c.send(bdat("body\r\n", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(new String(contentAfterReceived(spool.messages().getFirst()), StandardCharsets.ISO_8859_1))
        .isEqualTo("Subject: mixed\r\n\r\nbody\r\n");
  }

  @Test
  void rsetBetweenChunksDropsThemAndTheNextTransactionIsClean() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(bdat("Subject: dropped\r\n\r\n" + "d".repeat(100_000), false));
      assertThat(c.reply()).startsWith("250 2.0.0 100020 octets");
      c.send("RSET\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Reset");
      noTransactionLeftOpen();
      transaction(c);
      c.send(bdat("Subject: kept\r\n\r\n", true));
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    assertThat(spool.messages()).singleElement()
        .satisfies(q -> assertThat(new String(contentAfterReceived(q), StandardCharsets.ISO_8859_1)).isEqualTo("Subject: kept\r\n\r\n"));
  }

  @Test
  void disconnectMidChunkLeavesNothingInTheSpool() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(bdat("x".repeat(200_000), false));
      assertThat(c.reply()).startsWith("250 2.0.0 200000 octets");
      c.send("BDAT 1000 LAST\r\n" + "y".repeat(300));
      await().atMost(Duration.ofSeconds(10)).until(() -> protocol.stream().anyMatch(l -> l.endsWith(" IN BDAT 1000 LAST")));
    }
    noTransactionLeftOpen();
    assertThat(spool.messages()).isEmpty();
    try (var files = java.nio.file.Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void malformedBdatIsAnswered521AndTheConnectionClosed() throws Exception {
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send("BDAT twelve LAST\r\nRSET\r\n");
      assertThat(c.reply()).startsWith("521 5.5.4");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void fullSpoolAndFailedCommitAnswerTheChunkAsTheyAnswerData() throws Exception {
    int port = start();
    spool.mode.set(TestSpool.Mode.FULL);
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send(concat(bdat("Subject: a\r\n\r\n", false), bdat("b\r\n", true), "NOOP\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.reply()).startsWith("452 4.3.1");
      assertThat(c.reply()).startsWith("452 4.3.1");
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
      spool.mode.set(TestSpool.Mode.FAIL_COMMIT);
      transaction(c);
      c.send(bdat("Subject: a\r\n\r\nb\r\n", true));
      assertThat(c.reply()).isEqualTo("451 4.3.0 Local error in processing, try again later");
    }
    assertThat(spool.messages()).isEmpty();
    noTransactionLeftOpen();
  }

  @Test
  void clientStallingInAChunkGets421AfterTheDataTimeout() throws Exception {
    limits = new SessionLimits(1 << 20, 10, 10, 1024, 1000, Duration.ofMinutes(1), Duration.ofMillis(300));
    int port = start();
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      c.send("BDAT 100 LAST\r\nSubject: half\r\n");
      assertThat(c.reply()).startsWith("421 4.4.2");
    }
    assertThat(spool.messages()).isEmpty();
    noTransactionLeftOpen();
  }

  @Test
  void largeMessageInChunksStreamsToTheSpool() throws Exception {
    int port = start();
    byte[] block = ("x".repeat(998) + "\r\n").repeat(256).getBytes(StandardCharsets.US_ASCII);
    int chunks = 40; // 10 MB in 256 KB chunks
    try (RawClient c = new RawClient(port)) {
      envelope(c);
      for (int i = 0; i < chunks; i++) {
        c.send(bdat(block, i == chunks - 1));
        if (i < chunks - 1) {
          assertThat(c.reply()).isEqualTo("250 2.0.0 " + block.length + " octets received");
        }
      }
      assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as");
    }
    QueuedMessage q = spool.messages().getFirst();
    assertThat(contentAfterReceived(q).length).isEqualTo(chunks * block.length);
  }
}
