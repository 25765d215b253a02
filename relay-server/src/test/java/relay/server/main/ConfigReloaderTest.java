package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import relay.server.testing.TestUpstream;

/**
 * The two reload triggers of a running relay, for real: a SIGHUP sent to this JVM, and a change to
 * the configuration file seen by the directory watch. Both are observed through the configuration
 * in use and {@code relay_config_reloads_total}.
 *
 * <p>Sending SIGHUP to the test JVM is safe only while the reloader's handler is installed (the
 * JVM's default would run the shutdown hooks and end the Surefire fork); the test checks that it is,
 * and the reloader puts the previous handler back when closed.
 */
class ConfigReloaderTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();


  private String hocon(TestUpstream... upstreams) {
    StringBuilder connectors = new StringBuilder();
    for (int i = 0; i < upstreams.length; i++) {
      connectors.append("""
          { name = "c%d", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["d%d.example"] }
          """.formatted(i, upstreams[i].port(), i));
    }
    return TestRelay.officeLan(dir.resolve("home"), """
          admin { port = 9025 }
          outbound-connectors = [ %s ]
        """.formatted(connectors));
  }

  @Test
  void changedConfigurationFileIsReloadedAfterTheDebounce() throws Exception {
    TestUpstream one = resources.track(TestUpstream.plain());
    TestUpstream two = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(one))));
    Path file = dir.resolve("relay.conf");
    ConfigReloader reloader = resources.track(new ConfigReloader(relay.server(), file, Map.of()));
    reloader.start();

    Files.writeString(file, hocon(one, two));

    await().atMost(PATIENCE).until(() -> relay.server().currentConfig().outboundConnectors().size() == 2);
    assertThat(relay.metric("relay_config_reloads_total", "result=\"success\"")).hasValueSatisfying(
        n -> assertThat(n).isGreaterThanOrEqualTo(1.0));
  }

  @Test
  void changedFileThatDoesNotValidateKeepsTheRunningConfigurationAndCountsAFailure() throws Exception {
    TestUpstream one = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(one))));
    Path file = dir.resolve("relay.conf");
    ConfigReloader reloader = resources.track(new ConfigReloader(relay.server(), file, Map.of()));
    reloader.start();

    Files.writeString(file, "relay { outbound-connectors = 12 }");

    await().atMost(PATIENCE).until(() -> relay.metric("relay_config_reloads_total", "result=\"failure\"").isPresent());
    assertThat(relay.server().currentConfig().outboundConnectors()).singleElement()
        .satisfies(c -> assertThat(c.name()).isEqualTo("c0"));
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void sighupToTheProcessReloadsTheConfiguration() throws Exception {
    TestUpstream one = resources.track(TestUpstream.plain());
    TestUpstream two = resources.track(TestUpstream.plain());
    TestRelay relay = resources.track(TestRelay.start(TestRelay.configFile(dir, hocon(one))));
    Path file = dir.resolve("relay.conf");
    // Written before the watch starts, so only the signal can bring it in.
    Files.writeString(file, hocon(one, two));
    ConfigReloader reloader = resources.track(new ConfigReloader(relay.server(), file, Map.of()));
    reloader.start();
    assumeThat(reloader.handlesSighup()).as("SIGHUP handler installed").isTrue();

    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).start();
    assertThat(kill.waitFor()).isZero();

    await().atMost(PATIENCE).until(() -> relay.server().currentConfig().outboundConnectors().size() == 2);
    assertThat(relay.metric("relay_config_reloads_total", "result=\"success\"")).contains(1.0);
  }
}
