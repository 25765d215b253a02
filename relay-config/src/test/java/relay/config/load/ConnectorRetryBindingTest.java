package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;
import relay.core.schedule.RetrySchedule;

class ConnectorRetryBindingTest {

  private static final String GLOBAL = """
      relay.delivery.retry { initial-delay = 2m, multiplier = 3.0, max-delay = 2h, jitter = 0.1, max-lifetime = 3d }
      """;

  @TempDir Path dir;

  private RelayConfig load(String text) throws IOException {
    return ConfigLoader.load(Optional.of(write(text)), Map.of("RELAY_HOME", dir.toString()));
  }

  private List<String> problems(String text) throws IOException {
    Path file = write(text);
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(file), Map.of("RELAY_HOME", dir.toString())));
    assertThat(e).as("the configuration should have been rejected").isNotNull();
    // problems name the file by its full path; the tests compare from the file name on
    return e.problems().stream().map(p -> p.toString().replace(dir + "/", "")).toList();
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("relay.conf"), text);
  }

  @Test
  void connectorWithoutRetryBlockFollowsTheGlobalSchedule() throws IOException {
    RelayConfig config = load(GLOBAL + """
        relay.outbound-connectors = [ { name = "drop", type = drop, recipient-domains = ["*"] } ]
        """);
    assertThat(config.delivery().connectorRetry()).isEmpty();
    assertThat(config.delivery().retryFor("drop"))
        .isEqualTo(new RetrySchedule(Duration.ofMinutes(2), 3.0, Duration.ofHours(2), 0.1, Duration.ofDays(3)));
  }

  @Test
  void keysLeftOutOfAConnectorBlockAreInheritedFromTheGlobalBlock() throws IOException {
    RelayConfig config = load(GLOBAL + """
        relay.outbound-connectors = [
          { name = "printers", type = drop, recipient-domains = ["*"], retry { initial-delay = 10s, max-lifetime = 6h } }
          { name = "upstream", type = smart-host, hosts = ["mail.example.com"], recipient-domains = ["example.com"] }
        ]
        """);
    assertThat(config.delivery().retryFor("printers"))
        .isEqualTo(new RetrySchedule(Duration.ofSeconds(10), 3.0, Duration.ofHours(2), 0.1, Duration.ofHours(6)));
    assertThat(config.delivery().retryFor("upstream")).isEqualTo(config.delivery().retry());
  }

  @Test
  void everyKeyOfAConnectorBlockOverridesTheGlobalOneForEveryConnectorType() throws IOException {
    RelayConfig config = load(GLOBAL + """
        relay.outbound-connectors = [
          { name = "upstream", type = smart-host, hosts = ["mail.example.com"], recipient-domains = ["*"]
            retry { initial-delay = 5s, multiplier = 1.5, max-delay = 10m, jitter = 0, max-lifetime = 1d } }
          { name = "internet", type = mx, rule-scoped = true, retry { max-lifetime = 5d } }
        ]
        """);
    assertThat(config.delivery().retryFor("upstream"))
        .isEqualTo(new RetrySchedule(Duration.ofSeconds(5), 1.5, Duration.ofMinutes(10), 0.0, Duration.ofDays(1)));
    assertThat(config.delivery().retryFor("internet").maxLifetime()).isEqualTo(Duration.ofDays(5));
    assertThat(config.delivery().retryFor("internet").initialDelay()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void badValuesInAConnectorBlockAreProblemsOnTheirLines() throws IOException {
    List<String> problems = problems("""
        relay.outbound-connectors = [
          { name = "drop", type = drop, recipient-domains = ["*"], retry {
              multiplier = 0.5
              jitter = 1.5
              max-lifetime = 0s
              backoff = 3
          } }
        ]
        """);
    assertThat(problems).containsExactlyInAnyOrder(
        "relay.conf:3: relay.outbound-connectors[0].retry.multiplier: 0.5 is out of range (1.0..100.0)",
        "relay.conf:4: relay.outbound-connectors[0].retry.jitter: 1.5 is out of range (0.0..1.0)",
        "relay.conf:5: relay.outbound-connectors[0].retry.max-lifetime: '0s' is not a positive duration",
        "relay.conf:6: relay.outbound-connectors[0].retry.backoff: unknown key "
            + "(known keys: initial-delay, jitter, max-delay, max-lifetime, multiplier)");
  }

  @Test
  void maxDelayShorterThanTheInheritedInitialDelayIsAProblemOnItsLine() throws IOException {
    List<String> problems = problems(GLOBAL + """
        relay.outbound-connectors = [
          { name = "drop", type = drop, recipient-domains = ["*"]
            retry { max-delay = 30s } }
        ]
        """);
    assertThat(problems).singleElement().asString()
        .startsWith("relay.conf:4: relay.outbound-connectors[0].retry.max-delay:")
        .contains("shorter than the inherited initial-delay (PT2M)");
  }

  @Test
  void initialDelayLongerThanTheInheritedMaxDelayIsAProblemOnItsLine() throws IOException {
    List<String> problems = problems(GLOBAL + """
        relay.outbound-connectors = [
          { name = "drop", type = drop, recipient-domains = ["*"]
            retry { initial-delay = 3h } }
        ]
        """);
    assertThat(problems).singleElement().asString()
        .startsWith("relay.conf:4: relay.outbound-connectors[0].retry.initial-delay:")
        .contains("longer than the inherited max-delay (PT2H)");
  }

  @Test
  void retryThatIsNotABlockIsAProblem() throws IOException {
    List<String> problems = problems("""
        relay.outbound-connectors = [
          { name = "drop", type = drop, recipient-domains = ["*"], retry = 5m }
        ]
        """);
    assertThat(problems).singleElement().asString()
        .startsWith("relay.conf:2: relay.outbound-connectors[0].retry:")
        .contains("expected an object");
  }
}
