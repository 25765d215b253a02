package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.session.SessionLimits;
import relay.core.tracking.ProtocolLog;
import relay.server.health.CheckResult;

/**
 * {@link SmtpListener#eventLoopsTurn}: a listener whose event loop is stuck (here, as found in use,
 * in a protocol-log call that does not return) must fail the liveness check, not pass it because
 * its port is still open.
 */
class SmtpListenerLivenessTest {

  private static final SessionLimits LIMITS =
      new SessionLimits(1 << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1));

  @TempDir Path dir;
  private final CountDownLatch stuck = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private SmtpListener listener;

  @AfterEach
  void stop() {
    release.countDown();
    if (listener != null) {
      listener.close();
    }
  }

  /** A listener whose protocol log blocks the event loop that logs a client's EHLO, until released. */
  private int start() throws Exception {
    InboundConnector lan = new InboundConnector("lan", List.of(ClientNetwork.parse("127.0.0.0/8")), false, Set.of(),
        false, Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, LIMITS);
    ListenerSettings settings = new ListenerSettings("lan", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        "relay.test", List.of(lan), Optional.empty(), 100, 10);
    ProtocolLog blocking = new ProtocolLog(line -> {
      if (line.contains(" IN EHLO ")) {
        stuck.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    listener = new SmtpListener(settings, new TestSpool(dir), m -> {}, blocking, RelayMetrics.NONE, InstantSource.system());
    listener.start();
    return listener.port();
  }

  @Test
  void eventLoopsThatRunTasksPass() throws Exception {
    start();

    assertThat(listener.eventLoopsTurn(Duration.ofSeconds(2))).isEqualTo(CheckResult.ok());
  }

  @Test
  void aStuckEventLoopFailsTheCheckUntilItTurnsAgain() throws Exception {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      client.reply();
      client.send("EHLO printer.corp.example\r\n");
      assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();

      CheckResult hung = listener.eventLoopsTurn(Duration.ofMillis(300));

      assertThat(hung).isInstanceOf(CheckResult.Failed.class);
      assertThat(((CheckResult.Failed) hung).reason()).matches("1 of \\d+ event loops did not run a task within 300 ms");
      release.countDown();
      assertThat(client.reply()).startsWith("250");
      assertThat(listener.eventLoopsTurn(Duration.ofSeconds(2))).isEqualTo(CheckResult.ok());
    }
  }

  @Test
  void aClosedListenerFails() throws Exception {
    start();
    listener.close();

    assertThat(listener.eventLoopsTurn(Duration.ofSeconds(2))).isEqualTo(CheckResult.failed("not accepting connections"));
    listener = null;
  }
}
