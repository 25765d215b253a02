package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestUpstream;

class SmtpTransportTest {

  static final byte[] CONTENT = ("From: printer@example.com\r\nTo: a@example.com\r\nSubject: scan\r\n\r\n"
      + ".leading dot must survive dot-stuffing\r\n.\r\n..\r\nlast line\r\n").getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void plainDeliveryArrivesByteExactWithTheRequestedEnvelope() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    SmtpTransport transport = transport(TlsMode.NONE, null, upstream.port());

    List<RecipientOutcome> outcomes = transport.deliver(request(MailPath.parse("printer@example.com"), "a@example.com", "b@example.com"));

    assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(outcomes.getFirst().detail()).startsWith("250");
    assertThat(upstream.messages).singleElement().satisfies(m -> {
      assertThat(m.content()).isEqualTo(CONTENT);
      assertThat(m.from()).isEqualTo("printer@example.com");
      assertThat(m.recipients()).containsExactly("a@example.com", "b@example.com");
      assertThat(m.tls()).isFalse();
    });
  }

  @Test
  void nullSenderGoesOutAsEmptyReversePath() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    SmtpTransport transport = transport(TlsMode.NONE, null, upstream.port());

    assertThat(transport.deliver(request(MailPath.NULL, "a@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.Delivered.class);

    assertThat(upstream.messages).singleElement().satisfies(m -> assertThat(m.from()).isEmpty());
  }

  @Test
  void eachRecipientGetsItsOwnOutcomeWhenTheUpstreamRefusesSome() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    upstream.refuse.put("gone@example.com", new RejectException(550, "5.1.1 No such user"));
    upstream.refuse.put("busy@example.com", new RejectException(450, "4.2.1 Mailbox busy"));
    SmtpTransport transport = transport(TlsMode.NONE, null, upstream.port());

    List<RecipientOutcome> outcomes =
        transport.deliver(request(MailPath.parse("p@example.com"), "ok@example.com", "gone@example.com", "busy@example.com"));

    assertThat(outcomes.get(0)).isInstanceOf(RecipientOutcome.Delivered.class);
    // Each keeps the upstream's own reply as values, with the host it came from.
    UpstreamHop hop = UpstreamHop.plain("127.0.0.1", "127.0.0.1");
    assertThat(outcomes.get(1)).isEqualTo(new RecipientOutcome.PermanentFailure(outcomes.get(1).recipient(),
        new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "No such user"), hop)));
    assertThat(outcomes.get(2)).isEqualTo(new RecipientOutcome.TransientFailure(outcomes.get(2).recipient(),
        new AttemptReport.Replied(SmtpReply.of(450, "4.2.1", "Mailbox busy"), hop)));
    assertThat(upstream.messages).singleElement()
        .satisfies(m -> assertThat(m.recipients()).containsExactly("ok@example.com"));
  }

  @Test
  void allRecipientsRefusedSendsNothingAndConnectionStaysUsable() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    upstream.refuse.put("gone@example.com", new RejectException(550, "5.1.1 No such user"));
    SmtpTransport transport = transport(TlsMode.NONE, null, upstream.port());

    assertThat(transport.deliver(request(MailPath.parse("p@example.com"), "gone@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.PermanentFailure.class);
    assertThat(transport.deliver(request(MailPath.parse("p@example.com"), "ok@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.Delivered.class);

    assertThat(upstream.messages).hasSize(1);
    assertThat(upstream.sessions.get()).isEqualTo(1);
  }

  @Test
  void failsOverToTheNextHostWhenTheFirstRefusesConnections() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    SmtpTransport transport = track(new SmtpTransport(connector(TlsMode.NONE, null,
        new UpstreamHost("127.0.0.1", closedPort), new UpstreamHost("127.0.0.1", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog()));

    assertThat(transport.deliver(request(MailPath.parse("p@example.com"), "a@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.messages).hasSize(1);
  }

  @Test
  void failsOverToTheNextHostWhenTheFirstGreetsWith421() throws Exception {
    TestUpstream down = track(TestUpstream.plain());
    down.down = true;
    TestUpstream up = track(TestUpstream.plain());
    SmtpTransport transport = track(new SmtpTransport(connector(TlsMode.NONE, null,
        new UpstreamHost("127.0.0.1", down.port()), new UpstreamHost("127.0.0.1", up.port())),
        ReplyClassifier.standard(), new ProtocolLog()));

    assertThat(transport.deliver(request(MailPath.parse("p@example.com"), "a@example.com"))).singleElement()
        .isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(down.messages).isEmpty();
    assertThat(up.messages).hasSize(1);
  }

  @Test
  void noReachableHostIsATransientFailureForEveryRecipient() throws Exception {
    TestUpstream down = track(TestUpstream.plain());
    down.down = true;
    SmtpTransport transport = transport(TlsMode.NONE, null, down.port());

    List<RecipientOutcome> outcomes = transport.deliver(request(MailPath.parse("p@example.com"), "a@example.com", "b@example.com"));

    assertThat(outcomes).hasSize(2).allSatisfy(o -> {
      assertThat(o).isInstanceOf(RecipientOutcome.TransientFailure.class);
      assertThat(o.detail()).contains("127.0.0.1:" + down.port()).contains("421");
    });
  }

  @Test
  void followingMessagesReuseTheOpenConnection() throws Exception {
    TestUpstream upstream = track(TestUpstream.plain());
    SmtpTransport transport = transport(TlsMode.NONE, null, upstream.port());

    transport.deliver(request(MailPath.parse("p@example.com"), "a@example.com"));
    transport.deliver(request(MailPath.parse("p@example.com"), "b@example.com"));

    assertThat(upstream.messages).hasSize(2);
    assertThat(upstream.sessions.get()).isEqualTo(1);
  }

  SmtpTransport transport(TlsMode mode, Path ca, int port) throws Exception {
    return track(new SmtpTransport(connector(mode, ca, new UpstreamHost("127.0.0.1", port)),
        ReplyClassifier.standard(), new ProtocolLog()));
  }

  /** A connector with the mode's defaults; a CA bundle only goes with {@link TlsMode#VERIFY}. */
  static OutboundConnector.SmartHost connector(TlsMode mode, Path ca, UpstreamHost... hosts) {
    return connector(mode == TlsMode.VERIFY ? TlsPolicy.verify(List.of(), ca) : TlsPolicy.of(mode), hosts);
  }

  static OutboundConnector.SmartHost connector(TlsPolicy tls, UpstreamHost... hosts) {
    return new OutboundConnector.SmartHost("smart", List.of(hosts), tls, "relay.test",
        Duration.ofSeconds(5), Duration.ofSeconds(10), 2);
  }

  static DeliveryRequest request(MailPath sender, String... recipients) {
    return new DeliveryRequest(new MessageId("m" + System.nanoTime()), sender, MailParameters.NONE,
        java.util.Arrays.stream(recipients).map(a -> Recipient.of(MailPath.parse(a))).toList(), body(CONTENT),
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), Instant.parse("2026-03-01T08:00:00Z"));
  }

  static MessageBody body(byte[] bytes) {
    return new MessageBody() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
