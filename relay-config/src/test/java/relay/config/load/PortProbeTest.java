package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With port probing on, a listener port that something else holds is a problem at its line. */
class PortProbeTest {

  @TempDir Path dir;

  private Path config(int port) throws Exception {
    return Files.writeString(dir.resolve("relay.conf"), """
        relay.listeners = [{
          name = "lan", address = "127.0.0.1"
          port = %d
          inbound-connectors = [{ name = "local", client-networks = ["127.0.0.1"], relay = true }]
        }]
        """.formatted(port));
  }

  @Test
  void portHeldByAnotherSocketIsReportedWhenProbing() throws Exception {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Path file = config(held.getLocalPort());

      InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
          () -> ConfigLoader.load(Optional.of(file), Map.of(), true));

      assertThat(e.problems()).singleElement().satisfies(p -> {
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.path()).isEqualTo("relay.listeners[0].port");
        assertThat(p.message()).isEqualTo("port " + held.getLocalPort() + " on 127.0.0.1 is already in use on this machine");
      });
    }
  }

  @Test
  void portHeldByAnotherSocketIsNotProbedByDefault() throws Exception {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

      assertThat(ConfigLoader.load(Optional.of(config(held.getLocalPort())), Map.of()).listeners().getFirst().port())
          .isEqualTo(held.getLocalPort());
    }
  }

  @Test
  void freePortPassesTheProbe() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    assertThat(ConfigLoader.load(Optional.of(config(port)), Map.of(), true).listeners().getFirst().port()).isEqualTo(port);
  }
}
