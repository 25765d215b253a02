package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.config.load.ConfigLoader;
import relay.config.model.RelayConfig;
import relay.server.testing.TestUpstream;

/**
 * A queue handed from node A, whose upstream is down, to node B: {@code relay queue export} on the
 * stopped A and {@code relay queue import} on the stopped B move every message once, with what
 * already happened to it (a recipient delivered by A is not sent again, held mail stays held, a
 * message that must travel encrypted never leaves B in clear); a second import adds nothing, and
 * neither command touches the spool of a running relay.
 */
class QueueHandOffTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private CommandRun relay(String... args) {
    return CommandRun.of(List.of(args));
  }

  private Path config(String node, int upstreamPort) throws Exception {
    return Files.writeString(dir.resolve(node + ".conf"), TestRelay.officeLan(dir.resolve(node), """
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
          rules = [{ name = "Statements travel encrypted", priority = 10
            conditions { sender-address = ["statements@contoso.com"] }, actions { require-tls = true } }]
          delivery.retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 2d }
        """.formatted(upstreamPort)));
  }

  private static String send(TestRelay relay, String from, String subject, String... to) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      String reply = client.message(from, "Subject: " + subject + "\r\nMessage-ID: <" + subject + "@test>\r\n\r\nhi\r\n", to);
      assertThat(reply).startsWith("250 2.0.0 Ok queued as ");
      return reply.substring(reply.lastIndexOf(' ') + 1).strip();
    }
  }

  @Test
  void aStoppedNodesQueueMovesToAnotherNodeOnceWithWhatAlreadyHappenedToIt() throws Exception {
    TestUpstream upstreamA = resources.track(TestUpstream.plain());
    for (String busy : new String[] {"bob@fabrikam.com", "carol@fabrikam.com", "dave@fabrikam.com"}) {
      upstreamA.refuse.put(busy, new RejectException(451, "4.7.500 Server busy, try again later"));
    }
    Path configA = config("a", upstreamA.port());
    RelayConfig a = TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configA), Map.of()));
    TestRelay nodeA = resources.track(TestRelay.start(a));
    String partly = send(nodeA, "scanner@contoso.com", "partly", "alice@fabrikam.com", "bob@fabrikam.com");
    await().atMost(PATIENCE).until(() -> upstreamA.messages.size() == 1
        && nodeA.api("GET", "/api/queue?state=deferred").body().contains(partly));
    String held = send(nodeA, "scanner@contoso.com", "held", "carol@fabrikam.com");
    String secure = send(nodeA, "statements@contoso.com", "secure", "dave@fabrikam.com");
    await().atMost(PATIENCE).until(() -> nodeA.api("POST", "/api/queue/" + held + "/hold").statusCode() == 200);
    assertThat(nodeA.api("POST", "/api/intake/drain").statusCode()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> nodeA.api("GET", "/api/queue?state=deferred").body().contains(secure));

    CommandRun whileRunning = relay("queue", "export", "--to", dir.resolve("archive").toString(), "--config", configA.toString());
    assertThat(whileRunning.exit()).isEqualTo(1);
    assertThat(whileRunning.err()).contains("is in use", "stop it first");
    nodeA.close();

    CommandRun exported = relay("queue", "export", "--to", dir.resolve("archive").toString(), "--config", configA.toString());
    assertThat(exported.exit()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("exported 3 message(s)", "upstream 3", "1 held", "(complete)")
        .doesNotContain("not drained");

    TestUpstream upstreamB = resources.track(TestUpstream.plain());
    Path configB = config("b", upstreamB.port());
    CommandRun imported = relay("queue", "import", dir.resolve("archive").toString(), "--config", configB.toString());
    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("imported 3 message(s)", "1 held").doesNotContain("warning");
    CommandRun again = relay("queue", "import", dir.resolve("archive").toString(), "--config", configB.toString());
    assertThat(again.out()).contains("imported 0 message(s)", "3 message(s) imported here before");

    TestRelay nodeB = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configB), Map.of()))));
    // Retry and release act on what the scheduler holds: wait until the start-up walk of the spool
    // has handed it the imported messages (under load it can finish after the first API call).
    await().atMost(PATIENCE).until(() -> nodeB.api("GET", "/api/intake").body().contains("\"recovering\":false"));
    assertThat(nodeB.api("GET", "/api/queue/" + secure).body()).contains("\"requireTls\":true");
    assertThat(nodeB.api("GET", "/api/queue?state=suspended").body()).contains(held);
    assertThat(nodeB.api("POST", "/api/connectors/upstream/retry").statusCode()).isEqualTo(200);
    assertThat(nodeB.api("POST", "/api/queue/" + held + "/release").statusCode()).isEqualTo(200);

    await().atMost(PATIENCE).until(() -> upstreamB.messages.size() == 2);
    assertThat(upstreamB.messages).anySatisfy(m -> {
      assertThat(m.recipients()).as("alice had it from node A").containsExactly("bob@fabrikam.com");
      assertThat(new String(m.content(), StandardCharsets.US_ASCII)).contains("Subject: partly");
    }).anySatisfy(m -> assertThat(m.recipients()).containsExactly("carol@fabrikam.com"));
    // The one that must travel encrypted waits: this upstream offers no TLS.
    await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> upstreamB.messages.size() == 2);
    assertThat(nodeB.api("GET", "/api/queue/" + secure).body()).contains("\"requireTls\":true", "\"attempts\":");
    assertThat(nodeB.queuedFiles()).isEqualTo(1);
    assertThat(upstreamA.messages).hasSize(1);
  }
}
