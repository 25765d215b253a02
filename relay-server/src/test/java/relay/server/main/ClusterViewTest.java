package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.server.admin.ClusterDirectory;
import relay.server.admin.ClusterPeer;
import relay.server.testing.TestUpstream;

/**
 * The cluster-wide views: {@code relay queue summary --cluster} and {@code relay trace --cluster}
 * asked of one node show every node's queue and tracking events, through each node's admin API
 * with the operator's token. Two real relays whose upstream is down hold mail; a third node named
 * in the cluster does not answer, and is named as such instead of being left out.
 */
class ClusterViewTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();

  private final List<ClusterPeer> peersOfA = new CopyOnWriteArrayList<>();
  private TestRelay a;
  private TestRelay b;
  private Path configA;
  private Path token;

  @BeforeEach
  void start() throws Exception {
    TestUpstream upstream = resources.track(TestUpstream.plain());
    upstream.down = true;
    token = Files.writeString(dir.resolve("ops.token"), "ops-token-0123456789abcdef\n");
    configA = config("a", upstream.port());
    a = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(configA), Map.of())),
        directory("relay-a")));
    b = resources.track(TestRelay.start(TestRelay.onFreePorts(ConfigLoader.load(Optional.of(config("b", upstream.port())),
        Map.of())), directory("relay-b")));
    int gone;
    try (ServerSocket closed = new ServerSocket(0)) {
      gone = closed.getLocalPort();
    }
    peersOfA.add(new ClusterPeer("relay-b", URI.create("http://127.0.0.1:" + b.adminPort())));
    peersOfA.add(new ClusterPeer("relay-c", URI.create("http://127.0.0.1:" + gone)));
  }

  private ClusterDirectory directory(String self) {
    return new ClusterDirectory() {
      @Override
      public String self() {
        return self;
      }

      @Override
      public List<ClusterPeer> peers() {
        return self.equals("relay-a") ? List.copyOf(peersOfA) : List.of();
      }
    };
  }

  private Path config(String name, int upstreamPort) throws Exception {
    return Files.writeString(dir.resolve(name + ".conf"), TestRelay.officeLan(dir.resolve("home-" + name), """
          outbound-connectors = [
            { name = "upstream", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["*"] }
          ]
          delivery.retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 2d }
          admin.tokens = [{ name = "ops", token = "file:%s", role = read }]
        """.formatted(upstreamPort, token)));
  }

  private CommandRun relay(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", configA.toString(), "--url", "http://127.0.0.1:" + a.adminPort()));
    return CommandRun.of(all);
  }

  private static String send(TestRelay relay, String from, String subject) throws Exception {
    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      String reply = client.message(from, "Subject: " + subject + "\r\nMessage-ID: <" + subject + "@test>\r\n\r\nhello\r\n",
          "boss@fabrikam.com");
      assertThat(reply).startsWith("250 2.0.0 Ok queued as ");
      return reply.substring(reply.lastIndexOf(' ') + 1).strip();
    }
  }

  @Test
  void oneNodeShowsEveryNodesQueueAndNamesTheOneThatDoesNotAnswer() throws Exception {
    send(a, "scanner@contoso.com", "scan-a1");
    send(a, "erp@contoso.com", "invoice-a2");
    send(b, "scanner@contoso.com", "scan-b1");

    await().atMost(PATIENCE).untilAsserted(() -> {
      CommandRun summary = relay("queue", "summary", "--cluster", "--token-file", token.toString());
      assertThat(summary.exit()).isZero();
      assertThat(summary.out())
          .containsPattern("relay-a\\s+2\\s")
          .containsPattern("relay-b\\s+1\\s")
          .containsPattern("relay-c\\s+unreachable")
          .containsPattern("upstream\\s+\\d+\\s+\\d+\\s+0")
          .contains("3 message(s) queued on 2 of 3 node(s)");
    });

    CommandRun json = relay("queue", "summary", "--cluster", "--json", "--token-file", token.toString());
    assertThat(json.out()).contains("\"total\":3", "\"unreachable\":1", "\"node\":\"relay-b\"");
  }

  @Test
  void aTokenOnlyOneNodeKnowsIsRefusedByTheOthersAndTheAnswerSaysSo() throws Exception {
    // Without --token-file the command uses relay A's local token, which relay B has never seen.
    CommandRun summary = relay("queue", "summary", "--cluster");
    assertThat(summary.exit()).isZero();
    assertThat(summary.out()).containsPattern("relay-a\\s+0\\s")
        .contains("relay-b", "401: the token is not valid on this node");
  }

  @Test
  void traceSearchesEveryNodeAndTellsWhichNodeSawWhat() throws Exception {
    String onA = send(a, "scanner@contoso.com", "scan-a1");
    String onB = send(b, "scanner@contoso.com", "scan-b1");
    send(b, "erp@contoso.com", "invoice-b2");

    await().atMost(PATIENCE).untilAsserted(() -> {
      CommandRun search = relay("trace", "--cluster", "--from", "scanner@", "--status", "routed", "--token-file", token.toString());
      assertThat(search.exit()).isZero();
      assertThat(search.out().lines().filter(l -> l.contains(" routed ")).toList())
          .hasSize(2)
          .anySatisfy(l -> assertThat(l).startsWith("relay-a").contains(onA))
          .anySatisfy(l -> assertThat(l).startsWith("relay-b").contains(onB));
      assertThat(search.err()).contains("node relay-c did not answer");
    });

    CommandRun timeline = relay("trace", "--cluster", onB, "--token-file", token.toString());
    assertThat(timeline.exit()).isZero();
    assertThat(timeline.out()).contains("on relay-b:", "queued as " + onB).doesNotContain("on relay-a:");

    CommandRun json = relay("trace", "--cluster", "--json", "--from", "erp@", "--token-file", token.toString());
    assertThat(json.out().lines().toList()).isNotEmpty().allSatisfy(l -> assertThat(l).contains("\"node\":\"relay-b\""));
  }
}
