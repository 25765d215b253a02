package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.UpstreamHop;
import relay.core.dsn.DeliveryReport;
import relay.core.dsn.DeliveryStatusNotification;
import relay.core.dsn.DsnBuilder;
import relay.core.dsn.DsnSettings;
import relay.core.dsn.RecipientReport;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.spool.MessageBody;

/** {@code relay explain} explains bounces and reply lines with the classifier's own verdicts. */
class ExplainCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int relay(InputStream stdin, String... args) {
    CommandLine command = new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == ExplainCommand.class ? type.cast(new ExplainCommand(stdin)) : CommandLine.defaultFactory().create(type);
      }
    });
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute(args);
  }

  private int relay(String... args) {
    return relay(InputStream.nullInputStream(), args);
  }

  @Test
  void relaysOwnDsnIsExplainedRecipientByRecipient() throws Exception {
    Path dsn = Files.writeString(dir.resolve("relay-dsn.eml"), relayDsn(), StandardCharsets.ISO_8859_1);

    int exit = relay("explain", dsn.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    Golden.assertMatches("diagnose/relay-dsn.explain.txt", out.toString());
  }

  @Test
  void microsoftNdrNamesCauseFixAndVerdict() throws Exception {
    int exit = relay("explain", Golden.path("diagnose/m365-ndr.eml").toString());

    assertThat(exit).isZero();
    Golden.assertMatches("diagnose/m365-ndr.explain.txt", out.toString());
  }

  @Test
  void postfixBounceWithAnUnregisteredStatusExitsOne() throws Exception {
    int exit = relay("explain", Golden.path("diagnose/postfix-bounce.eml").toString());

    assertThat(exit).isEqualTo(1);
    Golden.assertMatches("diagnose/postfix-bounce.explain.txt", out.toString());
  }

  @Test
  void aBounceIsReadFromStandardInputAsJson() throws Exception {
    byte[] ndr = Files.readAllBytes(Golden.path("diagnose/m365-ndr.eml"));

    int exit = relay(new ByteArrayInputStream(ndr), "explain", "-", "--json");

    assertThat(exit).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.path("reportingMta").asText()).isEqualTo("dns;AM6PR01MB0001.eurprd01.prod.outlook.com");
    assertThat(report.path("unknown").asInt()).isZero();
    JsonNode first = report.path("statuses").get(0);
    assertThat(first.path("subject").asText()).isEqualTo("pat@fabrikam.com");
    assertThat(first.path("status").asText()).isEqualTo("5.1.1");
    assertThat(first.path("microsoft").path("title").asText()).isEqualTo("Recipient not found");
    assertThat(first.path("relay").path("action").asText()).isEqualTo("bounce");
    assertThat(report.path("statuses").get(1).path("reply").asText())
        .isEqualTo("550 5.7.124 RESOLVER.RST.SenderNotAllowed; sender not in allowed-senders list");
  }

  @Test
  void aTextOnlyNdrIsSearchedForQuotedReplies() throws Exception {
    int exit = relay("explain", Golden.path("diagnose/text-only-ndr.txt").toString());

    assertThat(exit).as("5.7.705 is in neither table").isEqualTo(1);
    assertThat(out.toString()).contains("quoted in the text", "reply:     550 5.7.705 Access denied, tenant has exceeded threshold",
        "relay:     bounce", "unknown:   neither the standard nor Microsoft's table explains 5.7.705");
  }

  @Test
  void aStatusWithoutDiagnosticCodeIsJudgedWithTheReplyCodeOfItsRow() throws Exception {
    int exit = relay("explain", Golden.path("diagnose/status-only.dsn").toString(), "--json");

    assertThat(exit).isZero();
    JsonNode status = new ObjectMapper().readTree(out.toString()).path("statuses").get(0);
    assertThat(status.path("code").asInt()).isEqualTo(432);
    assertThat(status.path("relay").path("action").asText()).isEqualTo("defer");
  }

  static Stream<String> replyLines() throws Exception {
    return Files.readAllLines(Golden.path("diagnose/replies.txt")).stream().filter(l -> !l.startsWith("#"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replyLines")
  void aReplyLineIsExplainedWithTheClassifiersVerdict(String line) throws Exception {
    String[] cells = line.split("\\s*\\|\\s*");

    int exit = relay("explain", cells[0], "--json");

    JsonNode status = new ObjectMapper().readTree(out.toString()).path("statuses").get(0);
    assertThat(status.path("status").asText()).isEqualTo(cells[1]);
    assertThat(status.path("relay").path("action").asText()).isEqualTo(cells[2]);
    assertThat(status.path("known").asBoolean()).isEqualTo(Boolean.parseBoolean(cells[3]));
    assertThat(exit).isEqualTo(Boolean.parseBoolean(cells[3]) ? 0 : 1);
  }

  @Test
  void aReplyLineInTextNamesMicrosoftsCauseAndFix() {
    int exit = relay("explain", "550 5.7.60 SMTP; Client does not have permissions to send as this sender");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains(
        "reply:     550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        "status:    5.7.60 permanent failure",
        "microsoft: No permission to send as this sender (5.7.60)",
        "fix:       Grant Send As (Add-RecipientPermission)",
        "relay:     hold: the mail stays queued");
  }

  @ParameterizedTest
  @ValueSource(strings = {"no such file.eml", "-"})
  void unreadableOrStatuslessInputExitsTwo(String argument) {
    int exit = relay(new ByteArrayInputStream("just some words\nand more\n".getBytes(StandardCharsets.US_ASCII)),
        "explain", argument);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("relay explain: ");
    assertThat(out.toString()).isEmpty();
  }

  /** A DSN as Relay writes it: one recipient refused by Microsoft 365, one held back by Send As, one expired. */
  private static String relayDsn() throws Exception {
    Instant arrival = Instant.parse("2026-11-23T08:15:30Z");
    Recipient pat = Recipient.of(MailPath.parse("pat@fabrikam.com"));
    Recipient sam = Recipient.of(MailPath.parse("sam@example.org"));
    Envelope envelope = new Envelope(MailPath.parse("scanner@contoso.com"), MailParameters.NONE, List.of(pat, sam),
        new ClientInfo("192.0.2.10", 40123, "scanner.contoso.com", false, "devices"), arrival);
    UpstreamHop m365 = UpstreamHop.plain("contoso-com.mail.protection.outlook.com", "203.0.113.25");
    DeliveryReport report = new DeliveryReport(envelope, new MessageId("Q7X2K9"), "relay.contoso.com", List.of(
        RecipientReport.failed(pat, new AttemptReport.Replied(
            SmtpReply.of(550, "5.1.1", "RESOLVER.ADR.RecipNotFound; not found"), m365), arrival.plusSeconds(5)),
        RecipientReport.expired(sam, new AttemptReport.Replied(
            SmtpReply.of(451, "4.4.7", "Message expired"), m365), arrival.plusSeconds(432_000))));
    DeliveryStatusNotification dsn = new DsnBuilder(DsnSettings.DEFAULTS, () -> "t0k3n")
        .build(report, arrival.plusSeconds(432_001)).orElseThrow();
    byte[] original = "Subject: Scan\r\n\r\nscan\r\n".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    dsn.writeTo(bytes, new MessageBody() {
      @Override
      public long size() {
        return original.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(original);
      }
    });
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

}
