package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.server.cluster.RedisServer;

/**
 * Two relays configured as one cluster around a private redis-server, seen from outside as an
 * operator sees them: {@code /readyz} and {@code /metrics} tell whether the shared store answers
 * (ready but degraded while it does not), and a connector suspended through one node's admin API
 * is suspended on the other.
 */
class ClusterRelayTest {

  @TempDir static Path dir;
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    redis = RedisServer.start(redisDir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  private TestRelay relay(String node) throws Exception {
    Path home = Files.createDirectories(dir.resolve(node));
    return TestRelay.start(TestRelay.configFile(home, TestRelay.officeLan(home, """
        outbound-connectors = [
          { name = "upstream", type = smart-host, hosts = ["localhost:9"], tls = none, recipient-domains = ["*"] }
        ]
        cluster {
          node-name = "%s"
          key-prefix = "relaytest:"
          lease-ttl = 3s
          admin-url = "http://127.0.0.1:1/"
          redis { host = "127.0.0.1", port = %d }
        }
        """.formatted(node, redis.port()))));
  }

  @Test
  void readinessAndMetricsTellWhetherTheSharedStoreAnswersAndASuspensionHoldsOnEveryNode() throws Exception {
    try (TestRelay one = relay("relay-1"); TestRelay two = relay("relay-2")) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(one.admin("/readyz").body()).contains("ok cluster-store"));
      assertThat(one.admin("/metrics").body()).contains("relay_cluster_store_up 1.0");

      assertThat(one.api("POST", "/api/connectors/upstream/suspend").body()).contains("on every node");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(two.api("GET", "/api/connectors").body()).containsPattern("\"suspended\"\\s*:\\s*true"));
      assertThat(two.api("POST", "/api/connectors/upstream/resume").body()).contains("on every node");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(one.api("GET", "/api/connectors").body()).containsPattern("\"suspended\"\\s*:\\s*false"));

      redis.stop();
      try {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          var ready = one.admin("/readyz");
          assertThat(ready.statusCode()).as("still ready: mail is still accepted").isEqualTo(200);
          assertThat(ready.body()).contains("degraded cluster-store: cluster store 127.0.0.1:" + redis.port() + " unreachable");
        });
        assertThat(one.admin("/metrics").body()).contains("relay_cluster_store_up 0.0")
            .containsPattern("relay_cluster_store_errors_total [1-9]");
      } finally {
        redis.start();
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(one.admin("/readyz").body()).contains("ok cluster-store"));
    }
  }
}
