package relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.ClusterConfig;
import relay.config.model.RedisEndpoint;
import relay.core.connector.Secret;
import relay.core.limits.LaneClaim;
import relay.core.limits.SharedGrant;
import relay.server.health.CheckResult;
import relay.server.testing.TestPki;

/**
 * The cluster store as a production Redis is set up: TLS only, the default user off, an ACL user
 * with a password. With the right CA, user and password a node connects and shares limits; a CA
 * that did not sign the server's certificate, or a wrong password, leaves the node degraded (never
 * connected in clear, never signed in), and the readiness reason never shows the password.
 */
class ClusterStoreTlsTest {

  private static final String USER = "relay-node";
  private static final String PASSWORD = "s3cret-for-redis";

  @TempDir static Path dir;
  private static RedisServer redis;
  private static Path trustedCa;
  private static Path otherCa;

  private ClusterNode node;

  @BeforeAll
  static void startRedis() throws Exception {
    TestPki pki = new TestPki("Cluster Test CA");
    Path certs = Files.createDirectories(dir.resolve("certs"));
    TestPki.ClientFiles server = pki.writeClientCertificate(certs, "localhost", null);
    trustedCa = pki.writeCaPem(certs);
    otherCa = new TestPki("Some Other CA").writeCaPem(Files.createDirectories(dir.resolve("other")));
    redis = RedisServer.startTls(Files.createDirectories(dir.resolve("redis")), server.certificate(), server.key(),
        USER, PASSWORD);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void withTheRightCaUserAndPasswordANodeConnectsOverTlsAndSharesLimits() {
    node = start(trustedCa, PASSWORD);

    await().atMost(Duration.ofSeconds(10)).until(() -> node.readiness().probe().get() instanceof CheckResult.Ok);
    SharedGrant grant = node.limits().acquire("m365",
        List.of(new LaneClaim("scanner@example.com", 1, 1, 3, Optional.empty())), InstantSource.system().instant());
    assertThat(grant).isInstanceOf(SharedGrant.Granted.class);
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() throws Exception {
    node = start(otherCa, PASSWORD);

    assertStaysDegraded();
  }

  @Test
  void aWrongPasswordIsRefusedAndNeverShown() throws Exception {
    node = start(trustedCa, "not-" + PASSWORD);

    CheckResult result = assertStaysDegraded();
    assertThat(result.toString()).doesNotContain(PASSWORD);
  }

  private ClusterNode start(Path ca, String password) {
    RedisEndpoint endpoint = new RedisEndpoint("localhost", redis.port(), true, Optional.of(ca),
        Optional.of(Secret.of(USER)), Optional.of(Secret.of(password)));
    ClusterConfig config = new ClusterConfig("relay-1", endpoint, "tls:", Duration.ofSeconds(30),
        Optional.of(URI.create("http://127.0.0.1:9100")));
    return ClusterNode.start(config, new SimpleMeterRegistry(), InstantSource.system(), Duration.ofMillis(100));
  }

  /** Degraded now and still degraded after a few reconnection attempts. */
  private CheckResult assertStaysDegraded() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> node.readiness().probe().get() instanceof CheckResult.Degraded);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> node.readiness().probe().get() instanceof CheckResult.Degraded);
    CheckResult result = node.readiness().probe().get();
    assertThat(result).isInstanceOf(CheckResult.Degraded.class);
    assertThat(node.limits().acquire("m365", List.of(new LaneClaim("scanner@example.com", 1, 1, 3, Optional.empty())),
        InstantSource.system().instant())).isNotInstanceOf(SharedGrant.Granted.class);
    return result;
  }
}
