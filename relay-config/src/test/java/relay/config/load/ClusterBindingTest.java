package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ClusterConfig;
import relay.config.model.RedisEndpoint;
import relay.config.model.RelayConfig;

/** The {@code cluster} section: absent means a single node; secrets only by reference and never shown. */
class ClusterBindingTest {

  @TempDir Path dir;

  private RelayConfig load(String text, Map<String, String> environment) throws IOException {
    Path file = Files.writeString(dir.resolve("relay.conf"), text);
    Map<String, String> env = new HashMap<>(environment);
    env.put("RELAY_HOME", dir.toString());
    return ConfigLoader.load(Optional.of(file), env);
  }

  @Test
  void withoutTheSectionTheRelayIsASingleNode() throws IOException {
    assertThat(load("relay.hostname = \"relay.example.com\"\n", Map.of()).cluster()).isEmpty();
  }

  @Test
  void defaultsNameTheNodeAfterTheHostAndLeasesLiveThirtySeconds() throws IOException {
    ClusterConfig cluster = load("relay.cluster.redis.host = \"10.0.0.9\"\n", Map.of("HOSTNAME", "relay-2"))
        .cluster().orElseThrow();

    assertThat(cluster).isEqualTo(new ClusterConfig("relay-2", new RedisEndpoint("10.0.0.9", 6379), "relay:",
        Duration.ofSeconds(30), Optional.empty()));
  }

  @Test
  void everySettingIsBoundAndThePasswordComesFromTheEnvironment() throws IOException {
    Path ca = Files.writeString(dir.resolve("redis-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    ClusterConfig cluster = load("""
        relay.cluster {
          node-name = "relay-1"
          key-prefix = "mail-prod:"
          lease-ttl = 12s
          admin-url = "http://10.0.0.11:9025"
          redis { host = "redis.internal", port = 6380, tls = true, ca-file = "redis-ca.pem",
                  username = "env:REDIS_USER", password = "env:REDIS_PASSWORD" }
        }
        """, Map.of("REDIS_USER", "relay", "REDIS_PASSWORD", "s3cret-pw")).cluster().orElseThrow();

    assertThat(cluster.nodeName()).isEqualTo("relay-1");
    assertThat(cluster.keyPrefix()).isEqualTo("mail-prod:");
    assertThat(cluster.leaseTtl()).isEqualTo(Duration.ofSeconds(12));
    assertThat(cluster.adminUrl()).contains(URI.create("http://10.0.0.11:9025"));
    RedisEndpoint redis = cluster.redis();
    assertThat(redis.host()).isEqualTo("redis.internal");
    assertThat(redis.port()).isEqualTo(6380);
    assertThat(redis.tls()).isTrue();
    assertThat(redis.caFile()).contains(ca);
    assertThat(redis.username().orElseThrow().reveal()).isEqualTo("relay");
    assertThat(redis.password().orElseThrow().reveal()).isEqualTo("s3cret-pw");
    assertThat(cluster.toString()).doesNotContain("s3cret-pw").contains("env:REDIS_PASSWORD");
  }

  @Test
  void aLiteralPasswordIsRefusedWithoutShowingIt() throws IOException {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> load("""
        relay.cluster.redis { host = "localhost", password = "hunter2-literal" }
        """, Map.of()));

    assertThat(e.problems()).singleElement().asString()
        .contains("relay.cluster.redis.password")
        .doesNotContain("hunter2-literal");
  }

  @Test
  void everyProblemOfTheSectionIsReportedAtOnce() throws IOException {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> load("""
        relay.cluster {
          node-name = "relay 1"
          lease-ttl = 1s
          admin-url = "ftp://x"
          redis { host = "localhost", port = 70000, ca-file = "ca.pem", pasword = "env:X" }
        }
        """, Map.of()));

    assertThat(e.problems()).extracting(p -> p.toString().replaceAll(":.*?: ", " "))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.node-name"))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.lease-ttl"))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.admin-url"))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.redis.port"))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.redis.ca-file"))
        .anySatisfy(p -> assertThat(p).contains("relay.cluster.redis.pasword"));
  }
}
