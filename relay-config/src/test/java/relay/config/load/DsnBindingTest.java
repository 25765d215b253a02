package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;
import relay.core.dsn.DsnPolicy;
import relay.core.envelope.MailPath;

class DsnBindingTest {

  @TempDir Path dir;

  private RelayConfig load(String text) throws IOException {
    Path file = Files.writeString(dir.resolve("relay.conf"), text);
    return ConfigLoader.load(Optional.of(file), Map.of("RELAY_HOME", dir.toString()));
  }

  @Test
  void defaultSendsNotificationsToTheSenderWithADelayNoticeAfterFourHours() throws IOException {
    assertThat(load("relay.hostname = \"relay.example.com\"\n").delivery().dsn()).isEqualTo(DsnPolicy.DEFAULTS);
  }

  @Test
  void reportAddressAndDelayNoticeAreBound() throws IOException {
    RelayConfig config = load("""
        relay.delivery.dsn { report-address = "postmaster@contoso.com", delay-notice-after = 90m }
        """);
    assertThat(config.delivery().dsn())
        .isEqualTo(new DsnPolicy(true, MailPath.parse("postmaster@contoso.com"), Duration.ofMinutes(90)));
  }

  @Test
  void zeroDelayTurnsDelayNoticesOff() throws IOException {
    DsnPolicy policy = load("relay.delivery.dsn.delay-notice-after = 0\n").delivery().dsn();
    assertThat(policy.delayNotice()).isEmpty();
    assertThat(policy.enabled()).isTrue();
  }

  @Test
  void notificationsCanBeTurnedOff() throws IOException {
    assertThat(load("relay.delivery.dsn.enabled = false\n").delivery().dsn().enabled()).isFalse();
  }

  @Test
  void reportAddressThatIsNoMailboxIsAProblemOnItsLine() throws IOException {
    Path file = Files.writeString(dir.resolve("relay.conf"), "relay.delivery.dsn {\n  report-address = \"postmaster\"\n}\n");
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(file), Map.of("RELAY_HOME", dir.toString())));
    assertThat(e.problems()).singleElement().asString()
        .contains("relay.conf:2")
        .contains("relay.delivery.dsn.report-address")
        .contains("'postmaster' is not a mailbox address");
  }
}
