package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fatal JVM error ends the process, so that a supervisor restarts it, rather than leaving a
 * half-alive relay holding its ports. Each case runs a small child JVM ({@link FatalErrorChild})
 * that, unprotected, would run on until killed; the test gives it {@value #PATIENCE_SECONDS} s.
 */
class FatalJvmErrorTest {

  private static final long PATIENCE_SECONDS = 30;
  private static final Pattern DEFAULTS = Pattern.compile("^\\s*defaults=\\$\\{RELAY_JAVA_DEFAULT_OPTS-\"([^\"]*)\"}$",
      Pattern.MULTILINE);

  @TempDir Path dir;

  /** How the child ended: its exit code and what it wrote (the JVM reports to stdout, the relay to stderr). */
  private record Ended(int exitCode, String output) {}

  @Test
  void withBinRelaysDefaultJvmOptionsAnOutOfMemoryErrorEndsTheProcessEvenWhenTheCodeSwallowsIt() throws Exception {
    List<String> options = new ArrayList<>(binRelayDefaults());
    assertThat(options).contains("-XX:+ExitOnOutOfMemoryError");
    options.removeIf(option -> option.startsWith("-Xms"));
    options.add("-Xmx16m"); // the last -Xmx wins, as with RELAY_JAVA_OPTS

    Ended ended = run(options, "hoard");

    assertThat(ended.exitCode()).isEqualTo(3);
    assertThat(ended.output()).contains("Terminating due to java.lang.OutOfMemoryError");
  }

  @Test
  void aStackOverflowThatEndsAThreadHaltsTheProcessWithTheFatalErrorExitCode() throws Exception {
    Ended ended = run(List.of("-Xss256k"), "overflow");

    assertThat(ended.exitCode()).isEqualTo(FatalErrorHandler.EXIT_CODE);
    assertThat(ended.output())
        .contains("relay: java.lang.StackOverflowError in thread worker; halting so that a supervisor restarts it");
  }

  private static List<String> binRelayDefaults() throws IOException {
    // Tests run in the module directory; bin/lib/jvm.sh holds the JVM options both launchers
    // (bin/relay and the distribution's) use.
    String script = Files.readString(Path.of("..", "bin", "lib", "jvm.sh"));
    Matcher defaults = DEFAULTS.matcher(script);
    assertThat(defaults.find()).as("the defaults line of bin/lib/jvm.sh").isTrue();
    return Arrays.asList(defaults.group(1).trim().split("\\s+"));
  }

  private Ended run(List<String> jvmOptions, String what) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FatalErrorChild.class.getName(), what));
    Path output = dir.resolve(what + ".out");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      assertThat(child.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS))
          .as("the child JVM (%s) ended within %d s", what, PATIENCE_SECONDS)
          .isTrue();
      return new Ended(child.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      child.destroyForcibly();
    }
  }
}
