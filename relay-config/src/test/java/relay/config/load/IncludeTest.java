package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.config.model.RelayConfig;

/** {@code include} works relative to the including file, and problems name the included file. */
class IncludeTest {

  @TempDir Path dir;

  @Test
  void includedFileIsMergedRelativeToTheIncludingFile() throws Exception {
    Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(dir.resolve("conf.d/rules.conf"), """
        relay.rules = [{ name = "Tag", priority = 1, actions { prepend-subject = "[R] " } }]
        """);
    Path main = Files.writeString(dir.resolve("relay.conf"), "include \"conf.d/rules.conf\"\nrelay.hostname = \"relay.test\"\n");

    RelayConfig config = ConfigLoader.load(Optional.of(main), Map.of());

    assertThat(config.routing().rules()).extracting(r -> r.name()).containsExactly("Tag");
    assertThat(config.hostname()).isEqualTo("relay.test");
  }

  @Test
  void problemInAnIncludedFileNamesThatFileAndLine() throws Exception {
    Path rules = Files.writeString(dir.resolve("rules.conf"), """
        relay.rules = [
          {
            name = "Partner", priority = 1
            actions { route-via = "nowhere" }
          }
        ]
        """);
    Path main = Files.writeString(dir.resolve("relay.conf"), "include \"rules.conf\"\n");

    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(main), Map.of()));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(rules.toString());
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.path()).isEqualTo("relay.rules[0].actions.route-via");
    });
  }

  @Test
  void missingRequiredIncludeIsAProblemOfTheIncludingFile() throws Exception {
    Path main = Files.writeString(dir.resolve("relay.conf"), "relay.hostname = \"relay.test\"\ninclude required(\"absent.conf\")\n");

    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(main), Map.of()));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(main.toString());
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.message()).isEqualTo("included file 'absent.conf' was not found");
    });
  }
}
