package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay whose protocol log cannot be written ({@code protocol.log} links to {@code /dev/full}, so
 * every write fails with ENOSPC as on a full disk). Found in use: the log's writer died, its queue
 * filled, the event loops parked on it and the relay stopped answering while {@code /healthz} said
 * 200.
 *
 * <p>The timeouts run the test and the clean-up on a thread of their own, so that a relay that
 * hangs again fails the build instead of hanging it (closing a relay whose event loops are stuck
 * waits for ever too).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FullLogDiskRelayTest {

  private static final Path FULL = Path.of("/dev/full");
  private static final int LOG_QUEUE = 64;
  /** About seven protocol-log lines each: twenty times what the queue holds. */
  private static final int MESSAGES = 200;

  @TempDir Path dir;
  private TestRelay relay;

  @AfterEach
  @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void mailKeepsFlowingAndReadyzFailsOnTheLogWhileHealthzStaysOk() throws Exception {
    assumeThat(FULL).as("a Linux /dev/full").exists();
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("logs"));
    Files.createSymbolicLink(home.resolve("logs").resolve("protocol.log"), FULL);
    relay = TestRelay.start(TestRelay.embeddedDefault(home), LOG_QUEUE);

    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner.corp.example");
      for (int i = 0; i < MESSAGES; i++) {
        assertThat(client.message("scanner@corp.example", "Subject: scan " + i + "\r\n\r\npage\r\n", "boss@corp.example"))
            .as("message %d", i)
            .startsWith("250 2.0.0 Ok queued as ");
      }
    }

    assertThat(relay.metric("relay_log_lines_dropped_total", "log=\"protocol\""))
        .hasValueSatisfying(dropped -> assertThat(dropped).isPositive());
    assertThat(relay.metric("relay_log_lines_dropped_total", "log=\"tracking\"")).isPresent();
    HttpResponse<String> ready = relay.admin("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body().lines().toList())
        .contains("ok relay", "ok tracking-log", "ok spool", "ok spool-recovery")
        .anySatisfy(line -> assertThat(line)
            .startsWith("fail protocol-log: writing protocol.log fails since ")
            .contains("No space left on device"));
    HttpResponse<String> alive = relay.admin("/healthz");
    assertThat(alive.statusCode()).isEqualTo(200);
    assertThat(alive.body()).isEqualTo("ok relay\nok smtp-default\n");
    // The tracking log on the same directory is unaffected: the day's events are there.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Files.readAllLines(home.resolve("logs").resolve("tracking.log")).stream().anyMatch(l -> l.contains("\"event\":\"received\"")));
  }
}
