package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTextTest {

  @ParameterizedTest
  @CsvSource({
    "'AUTH PLAIN AGFsaWNlAHNlY3JldA==', 'AUTH PLAIN <redacted>'",
    "'auth login c2Nhbm5lcg==', 'auth login <redacted>'",
    "'AUTH LOGIN', 'AUTH LOGIN'",
    "'MAIL FROM:<a@b.example>', 'MAIL FROM:<a@b.example>'",
  })
  void authInitialResponsesNeverReachTheProtocolLog(String line, String logged) {
    assertThat(CommandLineText.loggable(line)).isEqualTo(logged);
  }

  @ParameterizedTest
  @CsvSource({"EHLO x, helo", "helo x, helo", "MAIL FROM:<>, mail", "RCPT TO:<a@b>, rcpt", "DATA, data", "BDAT 5 LAST, data", "AUTH PLAIN, auth", "NOOP, command", "X, command"})
  void commandsAreCountedUnderTheirStage(String line, String stage) {
    assertThat(CommandLineText.stage(line).label()).isEqualTo(stage);
  }
}
