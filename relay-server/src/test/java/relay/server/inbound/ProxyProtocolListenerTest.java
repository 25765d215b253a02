package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.session.SessionLimits;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog;

/**
 * A listener behind a load balancer at 127.0.0.1 that speaks the PROXY protocol: the client its
 * header names is the client (connector, envelope, Received header, protocol log); the balancer
 * itself must send a header; anyone else who sends one is refused. Headers are written byte by byte
 * here, as HAProxy writes them (the end-to-end test test/e2e/proxy.sh runs a real HAProxy).
 */
class ProxyProtocolListenerTest {

  private static final SessionLimits LIMITS =
      new SessionLimits(1L << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1));
  private static final InetAddress BALANCER = InetAddress.ofLiteral("127.0.0.1");
  private static final InetAddress DIRECT_CLIENT = InetAddress.ofLiteral("127.0.0.2");

  @TempDir Path dir;
  private TestSpool spool;
  private SmtpListener listener;
  private final List<String> protocolLog = new CopyOnWriteArrayList<>();

  private static InboundConnector connector(String name, String network) {
    return new InboundConnector(name, List.of(ClientNetwork.parse(network)), false, Set.of(), true,
        Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, LIMITS);
  }

  @BeforeEach
  void start() throws Exception {
    spool = new TestSpool(dir);
    ListenerSettings settings = new ListenerSettings("smtp", new InetSocketAddress(BALANCER, 0), "relay.test",
        List.of(connector("scanners", "10.1.2.0/24"), connector("direct", "127.0.0.2/32")),
        Optional.empty(), 100, 10, false, List.of(ClientNetwork.parse("127.0.0.1/32")));
    listener = new SmtpListener(settings, spool, m -> {}, new ProtocolLog(protocolLog::add), RelayMetrics.NONE,
        InstantSource.fixed(Instant.parse("2026-12-07T08:00:00Z")));
    listener.start();
  }

  @AfterEach
  void stop() {
    listener.close();
  }

  @Test
  void aVersion1HeaderNamesTheClientForConnectorEnvelopeAndReceivedHeader() throws Exception {
    try (RawClient c = new RawClient(BALANCER, listener.port())) {
      c.send("PROXY TCP4 10.1.2.3 192.0.2.25 40123 25\r\n");
      assertThat(c.reply()).startsWith("220 ");
      QueuedMessage q = relayOneMessage(c);
      assertThat(q.envelope().client().address()).isEqualTo("10.1.2.3");
      assertThat(q.envelope().client().port()).isEqualTo(40123);
      assertThat(q.envelope().client().inboundConnector()).isEqualTo("scanners");
      assertThat(new String(spool.content(q), StandardCharsets.UTF_8)).startsWith("Received: from printer ([10.1.2.3])");
    }
    assertThat(protocolLog).anyMatch(l -> l.contains(" scanners 192.0.2.25:25 10.1.2.3:40123 ")
        && l.contains("connect from 10.1.2.3:40123 via 127.0.0.1:") && l.contains("(PROXY v1)"));
  }

  @Test
  void aVersion2HeaderNamesTheClient() throws Exception {
    try (RawClient c = new RawClient(BALANCER, listener.port())) {
      c.send(version2(0x21, "10.1.2.77", "192.0.2.25", 51000, 587));
      assertThat(c.reply()).startsWith("220 ");
      QueuedMessage q = relayOneMessage(c);
      assertThat(q.envelope().client().address()).isEqualTo("10.1.2.77");
      assertThat(q.envelope().client().inboundConnector()).isEqualTo("scanners");
    }
  }

  @Test
  void theConnectorIsChosenByTheNamedClientNotByTheBalancer() throws Exception {
    try (RawClient c = new RawClient(BALANCER, listener.port())) {
      c.send(version2(0x21, "198.51.100.9", "192.0.2.25", 51000, 25));
      assertThat(c.reply()).startsWith("554 5.7.1");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void aLocalHeaderKeepsTheBalancersOwnAddress() throws Exception {
    // HAProxy's own health checks send LOCAL: the balancer is then the client, and no connector covers it.
    try (RawClient c = new RawClient(BALANCER, listener.port())) {
      c.send(version2(0x20, null, null, 0, 0));
      assertThat(c.reply()).startsWith("554 5.7.1");
    }
  }

  @Test
  void theBalancerWithoutAHeaderIsRefusedWithoutAGreeting() throws Exception {
    try (RawClient c = new RawClient(BALANCER, listener.port())) {
      c.send("EHLO printer.corp.example\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(spool.messages()).isEmpty();
    // Netty's decoder closes the connection before it reports what it found wrong: the line may
    // come a moment after the client saw the close.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(protocolLog)
        .anyMatch(l -> l.contains("connect from load balancer 127.0.0.1:") && l.contains("refused: invalid PROXY header")));
  }

  @Test
  void aHeaderFromAnyoneElseIsRefused() throws Exception {
    try (RawClient c = new RawClient(DIRECT_CLIENT, listener.port())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send("PROXY TCP4 10.1.2.3 192.0.2.25 40123 25\r\n");
      assertThat(c.reply()).isEqualTo("554 5.7.1 PROXY header not accepted from this address");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void aDirectClientOutsideTheBalancersIsServedAsItself() throws Exception {
    try (RawClient c = new RawClient(DIRECT_CLIENT, listener.port())) {
      assertThat(c.reply()).startsWith("220 ");
      QueuedMessage q = relayOneMessage(c);
      assertThat(q.envelope().client().address()).isEqualTo("127.0.0.2");
      assertThat(q.envelope().client().inboundConnector()).isEqualTo("direct");
    }
  }

  private QueuedMessage relayOneMessage(RawClient c) throws Exception {
    c.send("EHLO printer\r\n");
    assertThat(c.reply()).startsWith("250 ");
    c.send("MAIL FROM:<scanner@corp.example>\r\n");
    assertThat(c.reply()).startsWith("250 ");
    c.send("RCPT TO:<someone@elsewhere.example>\r\n");
    assertThat(c.reply()).startsWith("250 ");
    c.send("DATA\r\n");
    assertThat(c.reply()).startsWith("354 ");
    c.send("Subject: scan\r\n\r\nhello\r\n.\r\n");
    assertThat(c.reply()).startsWith("250 2.0.0 Ok queued as ");
    c.send("QUIT\r\n");
    assertThat(c.reply()).startsWith("221 ");
    assertThat(spool.messages()).hasSize(1);
    return spool.messages().getFirst();
  }

  /** A PROXY v2 header: {@code command} 0x21 (PROXY) with a TCP over IPv4 address block, or 0x20 (LOCAL) with none. */
  private static byte[] version2(int command, String source, String destination, int sourcePort, int destinationPort)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    out.write(command);
    if (source == null) {
      out.write(new byte[] {0x00, 0x00, 0x00});
      return out.toByteArray();
    }
    out.write(0x11); // AF_INET, STREAM
    ByteBuffer block = ByteBuffer.allocate(12)
        .put(InetAddress.ofLiteral(source).getAddress())
        .put(InetAddress.ofLiteral(destination).getAddress())
        .putShort((short) sourcePort)
        .putShort((short) destinationPort);
    out.write(0);
    out.write(12);
    out.write(block.array());
    return out.toByteArray();
  }
}
