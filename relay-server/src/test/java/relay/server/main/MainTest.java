package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code relay} command line, run in-process with its output captured. */
class MainTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int relay(String... args) {
    return CommandRun.into(out, err, new Main(), args);
  }

  @Test
  void checkConfigOnAValidFileExitsZeroAndSummarisesWhatItSetsUp() throws Exception {
    Path file = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          hostname = "relay.corp.example"
          listeners = [{
            name = "lan"
            address = "0.0.0.0"
            port = 25
            inbound-connectors = [
              { name = "printers", client-networks = ["10.1.2.0/24"], relay = true }
            ]
          }]
          outbound-connectors = [
            { name = "exchange", type = smart-host, hosts = ["mail.corp.example:587"], tls = required, recipient-domains = ["*"] }
          ]
        }
        """.formatted(dir.resolve("home")));

    int exit = relay("check-config", file.toString());

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString())
        .contains(file + ": valid")
        .contains("data directory: " + dir.resolve("home"))
        .contains("listener lan: 0.0.0.0:25 with STARTTLS")
        .contains("inbound connector printers: clients [10.1.2.0/24], may relay to any domain")
        .contains("exchange")
        .contains("mail.corp.example");
  }

  @Test
  void checkConfigOnTheEmbeddedDefaultExitsZero() {
    int exit = relay("check-config");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("embedded default: valid").contains("listener default: 127.0.0.1:2525");
  }

  @Test
  void checkConfigOnABrokenFileExitsTwoAndNamesEachProblemByFileAndLine() throws Exception {
    Path file = Files.writeString(dir.resolve("broken.conf"), """
        relay {
          hostnme = "relay.corp.example"
          listeners = [{
            name = "lan"
            address = "0.0.0.0"
            port = 70000
            inbound-connectors = [{ name = "lan", client-networks = ["10.1.2.3/24"] }]
          }]
        }
        """);

    int exit = relay("check-config", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .contains("3 configuration problems")
        .contains("broken.conf:2: relay.hostnme: unknown key (did you mean 'hostname'?)")
        .contains("broken.conf:6: relay.listeners[0].port: 70000 is not a port (1..65535)")
        .contains("broken.conf:7: relay.listeners[0].inbound-connectors[0].client-networks[0]: '10.1.2.3/24'");
  }

  @Test
  void checkConfigOnAMissingFileExitsTwo() {
    int exit = relay("check-config", dir.resolve("absent.conf").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("absent.conf").contains("no such file");
  }

  @Test
  void runningOnABrokenFileRefusesToStartWithExitTwo() throws Exception {
    Path file = Files.writeString(dir.resolve("broken.conf"), "relay { admin { port = 0 } }\n");

    int exit = relay("--config", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("broken.conf:1: relay.admin.port: 0 is not a port (1..65535)")
        .contains("relay: not started: the configuration is invalid");
  }
}
