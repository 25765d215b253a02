package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.Secret;
import relay.core.policy.InboundAuth;
import relay.core.policy.InboundConnector;

/** The {@code auth} block of an inbound connector: users with secret passwords, required, grants-relay. */
class InboundAuthBindingTest {

  @TempDir Path dir;

  private static String listener(String authBlock) {
    return """
        relay.listeners = [{
          name = "lan", address = "127.0.0.1", port = 2525
          inbound-connectors = [
            { name = "scanners", client-networks = ["10.1.2.0/24"]
              %s }
          ]
        }]
        """.formatted(authBlock);
  }

  private InboundConnector connector(String authBlock, Map<String, String> environment) throws Exception {
    return new RoutingFiles(dir).load(listener(authBlock), environment).listeners().getFirst()
        .inboundConnectors().getFirst();
  }

  private List<String> problems(String authBlock) throws Exception {
    return new RoutingFiles(dir).problems(listener(authBlock), Map.of("SCANNER_PASSWORD", "from-env"));
  }

  @Test
  void connectorWithoutAuthBlockHasNoAuth() throws Exception {
    InboundAuth auth = connector("", Map.of()).auth();
    assertThat(auth.users()).isEmpty();
    assertThat(auth.required()).isFalse();
    assertThat(auth.offeredOn(true)).isFalse();
  }

  @Test
  void usersPasswordIsResolvedFromItsEnvironmentReference() throws Exception {
    InboundAuth auth = connector("""
        auth { users = [ { name = "scanner", password = "env:SCANNER_PASSWORD" } ], required = true }
        """, Map.of("SCANNER_PASSWORD", "from-env")).auth();
    assertThat(auth.users()).containsEntry("scanner", new Secret("env:SCANNER_PASSWORD", "from-env"));
    assertThat(auth.verify("scanner", "from-env")).isTrue();
    assertThat(auth.required()).isTrue();
    assertThat(auth.grantsRelay()).isTrue();
    assertThat(auth.allowPlaintext()).isFalse();
  }

  @Test
  void usersPasswordIsResolvedFromAFileReference() throws Exception {
    Path file = new RoutingFiles(dir).write("scanner.pw", "from-file\n");
    InboundAuth auth = connector("auth { users = [ { name = scanner, password = \"file:" + file + "\" } ] }", Map.of()).auth();
    assertThat(auth.verify("scanner", "from-file")).isTrue();
  }

  @Test
  void literalPasswordIsRefusedWithoutEchoingIt() throws Exception {
    List<String> problems = problems("auth { users = [ { name = scanner, password = \"hunter2-literal\" } ] }");
    assertThat(problems).singleElement().asString()
        .contains("inbound-connectors[0].auth.users[0].password")
        .doesNotContain("hunter2-literal");
  }

  @Test
  void grantsRelayAndAllowPlaintextCanBeTurnedAround() throws Exception {
    InboundAuth auth = connector("""
        auth { users = [ { name = scanner, password = "env:SCANNER_PASSWORD" } ], grants-relay = false, allow-plaintext = true }
        """, Map.of("SCANNER_PASSWORD", "x")).auth();
    assertThat(auth.grantsRelay()).isFalse();
    assertThat(auth.allowPlaintext()).isTrue();
    assertThat(auth.offeredOn(false)).isTrue();
  }

  @Test
  void requiredWithoutUsersIsAProblem() throws Exception {
    assertThat(problems("auth { required = true }")).singleElement().asString()
        .contains("auth.required").contains("no users");
  }

  @Test
  void userWithoutPasswordAndUnknownKeysAreProblems() throws Exception {
    assertThat(problems("auth { users = [ { name = scanner } ], colour = blue }"))
        .anySatisfy(p -> assertThat(p).contains("users[0]").contains("password"))
        .anySatisfy(p -> assertThat(p).contains("auth.colour"));
  }

  @Test
  void sameUserTwiceIsAProblem() throws Exception {
    assertThat(problems("""
        auth { users = [ { name = scanner, password = "env:SCANNER_PASSWORD" },
                         { name = scanner, password = "env:SCANNER_PASSWORD" } ] }
        """)).singleElement().asString().contains("listed twice");
  }
}
