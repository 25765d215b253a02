package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.ScriptedUpstream;

/**
 * Upstreams that stop in the middle of a session: the attempt ends after the connector's read
 * timeout with a transient failure that says why, whether the upstream stopped answering or stopped
 * reading; progress restarts the wait.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StallWatchTest {

  private static final Duration TIMEOUT = Duration.ofMillis(400);

  private ScriptedUpstream upstream;
  private SmtpTransport transport;

  @AfterEach
  void tearDown() throws IOException {
    if (transport != null) {
      transport.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void anUpstreamThatStopsAnsweringEndsTheAttempt() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.SILENT_AT_MAIL);

    RecipientOutcome outcome = deliver(small());

    assertThat(outcome).isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcome.detail()).contains("no progress from the upstream for 0.4s");
    // The connection was made, then lost: a local cause, with the hop it was lost from.
    assertThat(outcome.report()).isInstanceOfSatisfying(AttemptReport.Local.class, local -> {
      assertThat(local.cause()).isEqualTo(LocalCause.CONNECTION_LOST);
      assertThat(local.hop()).isEqualTo(UpstreamHop.plain("127.0.0.1", "127.0.0.1"));
    });
  }

  @Test
  void anUpstreamThatStopsReadingDuringDataEndsTheAttempt() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.STOPS_READING_AT_DATA);

    // Far more than the loopback socket buffers hold, so the writer blocks once they are full.
    RecipientOutcome outcome = deliver(endless(256L << 20));

    assertThat(outcome).isInstanceOf(RecipientOutcome.TransientFailure.class);
    assertThat(outcome.detail()).contains("no progress from the upstream for 0.4s");
  }

  @Test
  void progressRestartsTheWaitSoASlowButSteadyUpstreamIsNotCutOff() throws Exception {
    AtomicLong clock = new AtomicLong();
    StallWatch watch = new StallWatch(TIMEOUT, clock::get);
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket socket = watch.socketFactory().createSocket("127.0.0.1", server.getLocalPort());
        Socket upstream = server.accept()) {
      BlockingQueue<Object> reads = new LinkedBlockingQueue<>();
      Thread.ofVirtual().start(() -> {
        try {
          InputStream in = socket.getInputStream();
          for (int b; (b = in.read()) != -1; ) {
            reads.add(b);
          }
        } catch (IOException e) {
          reads.add(e);
        }
      });

      // Each byte arrives 300 ms (of the watch's clock) after the read for it began: under the
      // 400 ms timeout each time, though the session as a whole waited far longer.
      for (int i = 0; i < 3; i++) {
        awaitReading(socket);
        clock.addAndGet(Duration.ofMillis(300).toNanos());
        watch.sweep();
        upstream.getOutputStream().write('x');
        assertThat(reads.poll(10, TimeUnit.SECONDS)).isEqualTo((int) 'x');
      }
      assertThat(socket.isClosed()).isFalse();

      awaitReading(socket);
      clock.addAndGet(Duration.ofMillis(401).toNanos());
      watch.sweep();
      assertThat(reads.poll(10, TimeUnit.SECONDS)).asInstanceOf(InstanceOfAssertFactories.throwable(IOException.class))
          .isInstanceOf(java.net.SocketTimeoutException.class)
          .hasMessage("no progress from the upstream for 0.4s");
    }
  }

  /** Waits until the reader is blocked in its next read (the socket's busy mark is set). */
  private static void awaitReading(Socket socket) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ((WatchedSocket) socket).busy());
  }

  private RecipientOutcome deliver(MessageBody body) throws Exception {
    transport = new SmtpTransport(new OutboundConnector.SmartHost("stall", List.of(new UpstreamHost("127.0.0.1", upstream.port())),
        TlsPolicy.of(relay.core.connector.TlsMode.NONE), "relay.test", Duration.ofSeconds(5), TIMEOUT, 1),
        ReplyClassifier.standard(), new ProtocolLog());
    DeliveryRequest request = new DeliveryRequest(new MessageId("stall1"), MailPath.parse("p@example.com"), MailParameters.NONE,
        List.of(Recipient.of(MailPath.parse("a@example.com"))), body,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), Instant.parse("2026-03-01T08:00:00Z"));
    return transport.deliver(request).getFirst();
  }

  private static MessageBody small() {
    return SmtpTransportTest.body("Subject: t\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code size} bytes of 78-character lines, made up as they are read. */
  private static MessageBody endless(long size) {
    return new MessageBody() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public InputStream open() {
        return new InputStream() {
          private long left = size;

          @Override
          public int read() {
            return left-- > 0 ? (left % 80 == 1 ? '\r' : left % 80 == 0 ? '\n' : 'x') : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
              b[off + i] = (byte) read();
            }
            return n;
          }
        };
      }
    };
  }
}
