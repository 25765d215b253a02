package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A file full of mistakes must produce exactly the problems in the golden text file, every one
 * located by file and line: binding reports all problems at once, not the first.
 */
class GoldenProblemsTest {

  @Test
  void everyMistakeIsReportedWithFileLineAndPath() throws Exception {
    assertGolden("mistakes");
  }

  @Test
  void everyRoutingAndRuleMistakeIsReportedWithFileLineAndPath() throws Exception {
    assertGolden("routing-mistakes");
  }

  private void assertGolden(String name) throws Exception {
    Path file = Path.of(getClass().getResource("/golden/" + name + ".conf").toURI());
    String expected = Files.readString(
        Path.of(getClass().getResource("/golden/" + name + ".expected").toURI()), StandardCharsets.UTF_8);

    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(file), Map.of()));

    String actual = e.getMessage().replace(file.getParent() + "/", "") + "\n";
    assertThat(actual).isEqualTo(expected);
    assertThat(e.problems()).allSatisfy(p -> {
      assertThat(p.file()).isEqualTo(file.toString());
      assertThat(p.line()).isPositive();
    });
  }
}
