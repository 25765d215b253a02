package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.server.testing.TestUpstream;

/**
 * {@code relay queue} against a running relay whose upstream is down, so that its mail waits:
 * what the operator lists and shows is what is queued, and each action's effect is seen upstream
 * (retried mail arrives, deleted mail never does, a bounce reaches the sender as a notice). The
 * admin API behind it refuses callers without a token and read-only tokens that try to act, and
 * every action is in the audit log.
 */
class QueueCommandTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private TestUpstream upstream;
  private TestRelay relay;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    upstream = resources.track(TestUpstream.plain());
    upstream.down = true;
    Files.writeString(dir.resolve("helpdesk.token"), "helpdesk-token-0123456789\n");
    config = Files.writeString(dir.resolve("relay.conf"), TestRelay.officeLan(dir.resolve("home"), """
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
          delivery.retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 2d }
          admin.tokens = [{ name = "helpdesk", token = "file:%s", role = read }]
        """.formatted(upstream.port(), dir.resolve("helpdesk.token"))));
    relay = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(config), Map.of()))));
  }

  private CommandRun queue(String... args) {
    List<String> all = new ArrayList<>(List.of("queue"));
    all.addAll(List.of(args));
    all.addAll(List.of("--config", config.toString(), "--url", "http://127.0.0.1:" + relay.adminPort()));
    return CommandRun.of(all);
  }

  private String send(String from, String to, String subject) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      String reply = client.message(from, "Subject: " + subject + "\r\nMessage-ID: <" + subject + "@test>\r\n\r\nhello\r\n", to);
      assertThat(reply).startsWith("250 2.0.0 Ok queued as ");
      return reply.substring(reply.lastIndexOf(' ') + 1).strip();
    }
  }

  @Test
  void anOperatorListsShowsRetriesDeletesAndBouncesWaitingMail() throws Exception {
    String scan = send("scanner@contoso.com", "boss@fabrikam.com", "scan-1");
    // The first attempt finds the upstream down: that message waits an hour, and the connector
    // pauses, so the next ones wait in its window without an attempt. (Sent at once, a loaded
    // machine could start their attempts before the first one had failed.)
    await().atMost(PATIENCE).until(() -> upstream.sessions.get() >= 1 && queue("list", "--state", "deferred").out()
        .contains(scan));
    String invoice = send("erp@contoso.com", "billing@fabrikam.com", "invoice-2");
    String spam = send("scanner@contoso.com", "nobody@fabrikam.com", "junk-3");
    assertThat(queue("list").out()).contains("3 message(s)");

    CommandRun list = queue("list", "--from", "scanner");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains(scan, spam, "deferred", "active", "boss@fabrikam.com", "bad greeting").doesNotContain(invoice)
        .contains("2 message(s)");
    assertThat(queue("list", "--json", "--to", "billing").out().lines().toList()).singleElement()
        .satisfies(line -> assertThat(line).contains("\"id\":\"" + invoice + "\"", "\"state\":\"ACTIVE\""));

    assertThat(queue("list", "--older-than", "1h").out()).contains("0 message(s)");
    assertThat(queue("list", "--older-than", "soon").err()).contains("'soon'");

    CommandRun summary = queue("summary");
    assertThat(summary.out()).containsPattern("upstream\\s+\\d+\\s+\\d+\\s+0").contains("3 message(s) queued");
    assertThat(queue("summary", "--domains").out()).containsPattern("TOTAL\\s+3\\s+3 ")
        .containsPattern("fabrikam\\.com\\s+3\\s+3 ");

    CommandRun show = queue("show", scan);
    assertThat(show.out()).contains("Queue id:   " + scan, "Subject:    scan-1", "Message-ID: <scan-1@test>",
        "boss@fabrikam.com  pending, 1 attempt(s): ", "421 4.3.2 Service not available");
    assertThat(queue("show", scan, "--body").out()).contains("Subject: scan-1", "hello");
    assertThat(queue("show", "NOSUCHID").exit()).isEqualTo(1);

    // Delete one and bounce another while the upstream is down; then it is back: retry the first.
    assertThat(queue("delete", invoice).out()).contains(invoice + ": removed");
    assertThat(queue("bounce", spam).out()).contains(spam + ": removed; its sender gets a failure notice");
    upstream.down = false;
    assertThat(queue("retry", scan).out()).contains(scan + ": due now");
    // Retrying ends the connector's pause, so the notice (routed like any mail, to the same upstream)
    // goes too.
    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 2);
    TestUpstream.Received delivered = upstream.messages.stream().filter(m -> !m.from().isEmpty()).findFirst().orElseThrow();
    assertThat(new String(delivered.content(), StandardCharsets.US_ASCII)).contains("scan-1");
    TestUpstream.Received notice = upstream.messages.stream().filter(m -> m.from().isEmpty()).findFirst().orElseThrow();
    assertThat(notice.recipients()).containsExactly("scanner@contoso.com");
    assertThat(new String(notice.content(), StandardCharsets.UTF_8)).contains("removed from the queue by an operator",
        "nobody@fabrikam.com");
    await().atMost(PATIENCE).until(() -> relay.queuedFiles() == 0);
    // Nothing is left to deliver; the deleted invoice must not turn up meanwhile either.
    await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> upstream.messages.size() == 2);

    assertThat(Files.readString(dir.resolve("home").resolve("logs").resolve("audit.log")))
        .contains("\"operator\":\"local\"", "\"action\":\"retry\",\"target\":\"" + scan + "\"",
            "\"action\":\"delete\"", "\"action\":\"bounce\"");
    // The message's trace shows what the operator did.
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(Files.readString(dir.resolve("home").resolve("logs")
        .resolve("tracking.log"))).contains("\"event\":\"operator\",\"id\":\"" + invoice
            + "\",\"action\":\"delete\",\"operator\":\"local\",\"done\":true"));
  }

  @Test
  void actionsByFilterAskFirstAndConnectorsAreSuspendedAndResumed() throws Exception {
    String first = send("scanner@contoso.com", "a@fabrikam.com", "one");
    String second = send("scanner@contoso.com", "b@fabrikam.com", "two");
    await().atMost(PATIENCE).until(() -> upstream.sessions.get() >= 1 && queue("list").out().contains("2 message(s)"));

    CommandRun unconfirmed = queue("hold", "--from", "scanner");
    assertThat(unconfirmed.exit()).isEqualTo(1);
    assertThat(unconfirmed.err()).contains("nothing done: 2 messages match; confirm, or add --yes");
    assertThat(queue("hold", "--from", "scanner", "--yes").out()).contains(first + ": held until released",
        second + ": held until released");
    assertThat(queue("list", "--state", "suspended").out()).contains("2 message(s)");

    assertThat(queue("suspend", "upstream").out()).contains("upstream: suspended");
    assertThat(queue("connectors").out()).containsPattern("upstream\\s+smart-host\\s+suspended");
    upstream.down = false;
    CommandRun released = queue("release", first, second);
    assertThat(released.exit()).as(released.toString()).isZero();
    // A suspended connector sends nothing, however long it is left.
    await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(upstream.messages::isEmpty);
    assertThat(queue("resume", "upstream").out()).contains("upstream: resumed");
    assertThat(queue("retry", "--connector", "upstream").out()).contains("upstream: every waiting message is due now");
    await().atMost(PATIENCE).until(() -> upstream.messages.size() == 2);
    assertThat(queue("retry", "--to", "x", "--yes").out()).contains("no message matches");
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(queue("connectors").out())
        .containsPattern("last delivered \\S+ via localhost \\[127\\.0\\.0\\.1\\], no TLS")
        .containsPattern("last failure \\S+: .*421 4\\.3\\.2"));
  }

  @Test
  void theApiNeedsATokenAndAReadOnlyTokenMayNotAct() throws Exception {
    String id = send("scanner@contoso.com", "a@fabrikam.com", "guarded");
    assertThat(relay.admin("/api/queue").statusCode()).isEqualTo(401);
    assertThat(relay.admin("/healthz").statusCode()).isEqualTo(200);
    assertThat(relay.admin("/metrics").statusCode()).as("metrics-open defaults to true").isEqualTo(200);

    Path helpdesk = dir.resolve("helpdesk.token");
    Path wrong = Files.writeString(dir.resolve("wrong.token"), "not-a-token");
    assertThat(queue("list", "--token-file", wrong.toString()).err()).contains("a valid bearer token is needed");
    assertThat(queue("list", "--token-file", helpdesk.toString()).out()).contains(id);
    CommandRun refused = queue("delete", id, "--token-file", helpdesk.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("token 'helpdesk' may only read");
    assertThat(relay.queuedFiles()).isEqualTo(1);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        Files.readString(dir.resolve("home").resolve("logs").resolve("audit.log")))
        .contains("\"operator\":\"helpdesk\"", "\"action\":\"delete\"", "refused: read-only token"));
    // Message trace over the API, read-only tokens included.
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.api("GET", "/api/trace?sender=scanner").body())
        .contains("\"event\":\"received\"", "\"event\":\"routed\"", id, "guarded"));
    assertThat(relay.api("GET", "/api/trace/" + id).body().lines()).anySatisfy(l -> assertThat(l).contains("\"event\":\"received\""))
        .anySatisfy(l -> assertThat(l).contains("\"event\":\"routed\"", id));
    assertThat(relay.api("GET", "/api/trace/NOSUCHID").statusCode()).isEqualTo(404);
    assertThat(relay.api("GET", "/api/trace?status=bogus").statusCode()).isEqualTo(400);
    assertThat(relay.admin("/api/trace").statusCode()).isEqualTo(401);
    assertThat(Files.getPosixFilePermissions(dir.resolve("home").resolve("admin.token")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }
}
