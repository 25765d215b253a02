package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import relay.config.load.ConfigLoader;
import relay.server.testing.TestUpstream;

/**
 * {@code relay trace} end to end: a real relay takes a message it delivers, refuses one in-session
 * (relaying denied) and defers one (its upstream is down); then the command, reading the relay's
 * tracking log files, finds each with the right status, and a message's timeline tells its story.
 */
class TraceCommandTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok queued as (\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @RegisterExtension final TestResources resources = new TestResources();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private TestUpstream internal;
  private Path config;
  private String delivered;
  private String deferred;

  @BeforeEach
  void relayTakesThreeMessages() throws Exception {
    internal = resources.track(TestUpstream.plain());
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once closed: the partner is "down"
    }
    config = Files.writeString(dir.resolve("relay.conf"), """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "printers", client-networks = ["127.0.0.1/32"], relay = false }]
          }]
          accepted-domains = [{ domain = "corp.example" }, { domain = "partner.example" }]
          outbound-connectors = [
            { name = "internal", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["corp.example"] }
            { name = "partner", type = smart-host, hosts = ["localhost:%d"], tls = none, recipient-domains = ["partner.example"] }
          ]
          delivery { retry { initial-delay = 1h, max-lifetime = 2d } }
        }
        """.formatted(dir.resolve("home"), internal.port(), closedPort));
    TestRelay relay = resources.track(TestRelay.start(TestRelay.onFreePorts(
        ConfigLoader.load(Optional.of(config), Map.of()))));

    try (RawSmtp client = new RawSmtp(relay.smtpPort())) {
      client.send("EHLO scanner");
      delivered = queueId(client.message("scanner@corp.example",
          "From: scanner@corp.example\r\nMessage-ID: <scan-1@printer.corp.example>\r\nSubject: Scan 1 of the\r\n"
              + " contract\r\n\r\nScanned page\r\n", "alice@corp.example"));
      assertThat(client.send("MAIL FROM:<scanner@corp.example>")).startsWith("250");
      assertThat(client.send("RCPT TO:<someone@elsewhere.example>")).startsWith("550 5.7.1");
      client.send("RSET");
      deferred = queueId(client.message("scanner@corp.example",
          "From: scanner@corp.example\r\nSubject: Scan 2\r\n\r\nScanned page\r\n", "bob@partner.example"));
    }
    await().atMost(PATIENCE).until(() -> TrackingFiles.lines(dir).stream().anyMatch(l -> l.contains("\"event\":\"delivered\""))
        && TrackingFiles.lines(dir).stream().anyMatch(l -> l.contains("\"event\":\"deferred\"")));
  }

  private static String queueId(String reply) {
    Matcher m = QUEUED.matcher(reply);
    assertThat(m.find()).as(reply).isTrue();
    return m.group(1);
  }

  private int relay(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return CommandRun.into(out, err, new Main(), args);
  }

  private List<String> rows() {
    return out.toString().lines().skip(1).toList();
  }

  @Test
  void theHelpDeskQuestionDidMyScanGoOutListsEachMessageWithItsStatus() {
    int exit = relay("trace", "--config", config.toString(), "--from", "scanner@corp.example", "--since", "2h");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString().lines().findFirst().orElseThrow()).startsWith("TIME (UTC)").contains("STATUS");
    assertThat(rows()).anySatisfy(r -> assertThat(r).contains(delivered).contains("<alice@corp.example>")
            .contains("delivered").contains("internal localhost[127.0.0.1]").contains("250"))
        .anySatisfy(r -> assertThat(r).contains("<someone@elsewhere.example>").contains("rejected")
            .contains("550 5.7.1 Relaying denied"))
        .anySatisfy(r -> assertThat(r).contains(deferred).contains("<bob@partner.example>").contains("deferred")
            .contains("connection-failed"))
        .anySatisfy(r -> assertThat(r).contains("received").contains("printers from 127.0.0.1").contains("Scan 1"));
  }

  @Test
  void eachStatusIsFoundByItsOwnFilter() throws IOException {
    assertThat(relay("trace", "--config", config.toString(), "--to", "someone@elsewhere.example")).isZero();
    assertThat(rows()).singleElement().satisfies(r -> assertThat(r).contains("rejected").contains("550 5.7.1"));

    assertThat(relay("trace", "--config", config.toString(), "--status", "deferred", "--json")).isZero();
    JsonNode line = JSON.readTree(out.toString().lines().findFirst().orElseThrow());
    assertThat(line.get("event").asText()).isEqualTo("deferred");
    assertThat(line.get("id").asText()).isEqualTo(deferred);
    assertThat(line.get("recipient").asText()).isEqualTo("<bob@partner.example>");
    assertThat(line.get("sender").asText()).isEqualTo("<scanner@corp.example>");

    assertThat(relay("trace", "--config", config.toString(), "--id", delivered, "--status", "delivered", "--json")).isZero();
    assertThat(out.toString().lines()).singleElement().satisfies(l -> assertThat(l).contains("\"event\":\"delivered\""));

    assertThat(relay("trace", "--config", config.toString(), "--subject", "CONTRACT", "--status", "delivered")).isZero();
    assertThat(rows()).singleElement().satisfies(r -> assertThat(r).contains(delivered));

    assertThat(relay("trace", "--config", config.toString(), "--to", "nobody@corp.example")).isEqualTo(1);
  }

  @Test
  void aQueueIdsTimelineTellsTheWholeStoryInOrder() {
    assertThat(relay("trace", "--config", config.toString(), delivered)).isZero();

    String story = out.toString();
    assertThat(story).containsSubsequence("received", "from 127.0.0.1 on printers, no TLS",
        "<scanner@corp.example> -> <alice@corp.example>", "Message-ID <scan-1@printer.corp.example>",
        "Subject \"Scan 1 of the contract\"", "routed", "queued as " + delivered + " for internal",
        "delivered", "<alice@corp.example> (" + delivered + ") via internal localhost[127.0.0.1]", "250");
    assertThat(story).doesNotContain("Scan 2").doesNotContain("elsewhere");
  }

  @Test
  void aMessageIdOrTheSessionIdInTheReceivedHeaderFindsTheSameStory() throws IOException {
    assertThat(relay("trace", "--config", config.toString(), "<scan-1@printer.corp.example>", "--json")).isZero();
    List<JsonNode> events = out.toString().lines().map(TraceCommandTest::json).toList();
    assertThat(events).extracting(e -> e.get("event").asText()).containsExactly("received", "routed", "delivered");

    // The Received header Relay added names the session: the link from a delivered message back.
    String header = new String(internal.messages.getFirst().content(), StandardCharsets.UTF_8);
    Matcher id = Pattern.compile("\\(Relay\\) with E?SMTP\\S* id (\\S+);").matcher(header);
    assertThat(id.find()).as(header).isTrue();
    assertThat(id.group(1)).isEqualTo(events.getFirst().get("session").asText());
    assertThat(relay("trace", "--config", config.toString(), id.group(1), "--json")).isZero();
    assertThat(out.toString()).contains("\"id\":\"" + delivered + "\"");
  }

  @Test
  void theOutboundProtocolLogNamesTheQueueIdOfEachTransaction() throws IOException {
    await().atMost(PATIENCE).until(() -> protocolLog().contains("EVENT message " + delivered));
    String session = protocolLog().lines().filter(l -> l.contains("EVENT message " + delivered)).findFirst()
        .orElseThrow().split(" ")[1];
    assertThat(protocolLog().lines().filter(l -> l.contains(" " + session + " ")))
        .anySatisfy(l -> assertThat(l).contains("OUT MAIL FROM:<scanner@corp.example>"));
  }

  @Test
  void readsTheFilesDirectlyFromAnotherDirectoryAndSaysWhenItCannot() {
    Path logs = dir.resolve("home").resolve("logs");
    assertThat(relay("trace", "--log-dir", logs.toString(), "--id", deferred)).isZero();
    assertThat(relay("trace", "--log-dir", dir.resolve("nowhere").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read the logging directory");
    assertThat(relay("trace", "--log-dir", logs.toString(), "--since", "yesterday")).isEqualTo(2);
    assertThat(err.toString()).contains("not a time");
  }

  private String protocolLog() throws IOException {
    return Files.readString(dir.resolve("home").resolve("logs").resolve("protocol.log"));
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }
}
