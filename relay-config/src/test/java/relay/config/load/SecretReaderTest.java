package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.Secret;
import relay.config.secret.SecretResolver;

/**
 * Secrets as references: {@code env:} and {@code file:} resolve, a literal is refused unless
 * allowed, and no problem or {@code toString} ever shows the value.
 */
class SecretReaderTest {

  @TempDir Path dir;
  private final Problems problems = new Problems();

  private Optional<Secret> read(String hocon, Map<String, String> environment, boolean allowLiterals) {
    var env = ConfigValueFactory.fromMap(environment, Section.ENVIRONMENT).toConfig();
    var config = ConfigFactory.parseString(hocon).withFallback(env)
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    Section section = new Section(config.root(), "relay.outbound-connectors[0]", problems);
    return new SecretReader(new SecretResolver(environment, dir, allowLiterals)).read(section, "client-secret");
  }

  private List<String> problemTexts() {
    return problems.sorted().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void envReferenceResolvesAgainstTheInjectedEnvironment() {
    Optional<Secret> secret = read("client-secret = \"env:M365_SECRET\"", Map.of("M365_SECRET", "s3cr3t-value"), false);

    assertThat(secret.orElseThrow().reveal()).isEqualTo("s3cr3t-value");
    assertThat(secret.orElseThrow().toString()).isEqualTo("secret(env:M365_SECRET)").doesNotContain("s3cr3t");
    assertThat(problems.count()).isZero();
  }

  @Test
  void fileReferenceReadsTheFileWithoutItsTrailingNewline() throws Exception {
    Path file = Files.writeString(dir.resolve("client-secret"), "from-a-file\n");

    Optional<Secret> secret = read("client-secret = \"file:" + file + "\"", Map.of(), false);

    assertThat(secret.orElseThrow().reveal()).isEqualTo("from-a-file");
    assertThat(secret.orElseThrow().source()).isEqualTo("file:" + file);
  }

  @Test
  void relativeFileReferenceResolvesAgainstHome() throws Exception {
    Files.writeString(dir.resolve("pass"), "relative");

    assertThat(read("client-secret = \"file:pass\"", Map.of(), false).orElseThrow().reveal()).isEqualTo("relative");
  }

  @Test
  void missingVariableIsAProblemAtItsLine() {
    Optional<Secret> secret = read("\n\nclient-secret = \"env:NOT_SET\"", Map.of(), false);

    assertThat(secret).isEmpty();
    assertThat(problemTexts()).containsExactly("String:3: relay.outbound-connectors[0].client-secret: "
        + "environment variable NOT_SET is not set (set it in the service's environment, or use file:/path)");
  }

  @Test
  void unreadableFileIsAProblem() {
    assertThat(read("client-secret = \"file:/nonexistent/secret\"", Map.of(), false)).isEmpty();
    assertThat(problemTexts()).singleElement().asString()
        .contains("cannot read secret file /nonexistent/secret");
  }

  @Test
  void literalSecretIsRefusedWithoutShowingIt() {
    assertThat(read("client-secret = \"hunter2-literal\"", Map.of(), false)).isEmpty();
    assertThat(problemTexts()).containsExactly("String:1: relay.outbound-connectors[0].client-secret: "
        + "a secret written in the file is not allowed "
        + "(write env:NAME or file:/path, or set relay.allow-literal-secrets = true)");
  }

  @Test
  void unquotedLiteralIsRefusedWithoutShowingIt() {
    assertThat(read("client-secret = 12345678", Map.of(), false)).isEmpty();
    assertThat(problemTexts()).singleElement().asString().doesNotContain("12345678");
  }

  @Test
  void literalSecretIsAcceptedWhenAllowed() {
    Secret secret = read("client-secret = \"hunter2-literal\"", Map.of(), true).orElseThrow();

    assertThat(secret.reveal()).isEqualTo("hunter2-literal");
    assertThat(secret.toString()).doesNotContain("hunter2");
  }

  @Test
  void valueSubstitutedWholeFromTheEnvironmentIsNotALiteralInTheFile() {
    Secret secret = read("client-secret = ${?SECRET}", Map.of("SECRET", "from-env"), false).orElseThrow();

    assertThat(secret.reveal()).isEqualTo("from-env");
    assertThat(problems.count()).isZero();
  }

  @Test
  void absentKeyIsNoSecretAndNoProblem() {
    assertThat(read("other = 1", Map.of(), false)).isEmpty();
    assertThat(problems.count()).isZero();
  }
}
