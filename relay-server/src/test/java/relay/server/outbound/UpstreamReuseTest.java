package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;

/**
 * A connection that was just used is reused without an RSET; when the upstream had closed it all
 * the same, the message goes out at once on a new connection instead of waiting for a retry.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamReuseTest {

  private ServerSocket server;
  private SmtpTransport transport;
  private final AtomicInteger sessions = new AtomicInteger();
  private final List<String> commands = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    if (transport != null) {
      transport.close();
    }
    server.close();
  }

  @Test
  void aSessionTheUpstreamDroppedAfterItsMessageIsReplacedWithoutADeferral() throws Exception {
    startUpstream(true);

    RecipientOutcome first = deliver("a@example.com");
    RecipientOutcome second = deliver("b@example.com");

    assertThat(first).isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(second).isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(sessions.get()).isEqualTo(2);
  }

  @Test
  void aConnectionUsedMomentsAgoIsReusedWithoutAnRset() throws Exception {
    startUpstream(false);

    deliver("a@example.com");
    deliver("b@example.com");

    assertThat(sessions.get()).isEqualTo(1);
    assertThat(commands).noneMatch(c -> c.startsWith("RSET"));
    assertThat(commands).filteredOn(c -> c.startsWith("MAIL")).hasSize(2);
  }

  private RecipientOutcome deliver(String recipient) throws Exception {
    if (transport == null) {
      transport = new SmtpTransport(new OutboundConnector.SmartHost("reuse", List.of(new UpstreamHost("127.0.0.1", server.getLocalPort())),
          TlsPolicy.of(TlsMode.NONE), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), 1),
          ReplyClassifier.standard(), new ProtocolLog());
    }
    return transport.deliver(SmtpTransportTest.request(MailPath.parse("p@example.com"), recipient)).getFirst();
  }

  /** A hand-made upstream; with {@code dropAfterMessage} it closes each session right after its 250. */
  private void startUpstream(boolean dropAfterMessage) throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          sessions.incrementAndGet();
          serve(s, dropAfterMessage);
        } catch (IOException e) {
          // next session, or the test is over
        }
      }
    });
  }

  private void serve(Socket s, boolean dropAfterMessage) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = s.getOutputStream();
    reply(out, "220 fake ready");
    boolean data = false;
    for (String line; (line = in.readLine()) != null; ) {
      if (data) {
        if (line.equals(".")) {
          data = false;
          reply(out, "250 2.0.0 queued");
          if (dropAfterMessage) {
            return;
          }
        }
        continue;
      }
      commands.add(line);
      switch (line.split(" ", 2)[0].toUpperCase(Locale.ROOT)) {
        case "EHLO", "HELO" -> reply(out, "250 fake");
        case "DATA" -> {
          reply(out, "354 go ahead");
          data = true;
        }
        case "QUIT" -> {
          reply(out, "221 bye");
          return;
        }
        default -> reply(out, "250 ok");
      }
    }
  }

  private static void reply(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
