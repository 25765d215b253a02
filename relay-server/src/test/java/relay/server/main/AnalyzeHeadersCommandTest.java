package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code relay analyze-headers} shows the hop chain, authentication and Microsoft's anti-spam verdicts. */
class AnalyzeHeadersCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int relay(InputStream stdin, String... args) {
    CommandLine command = new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == AnalyzeHeadersCommand.class
            ? type.cast(new AnalyzeHeadersCommand(stdin)) : CommandLine.defaultFactory().create(type);
      }
    });
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute(args);
  }

  @Test
  void fiveHopsOldestFirstWithDelaysSharesAndTheSkewedClock() throws Exception {
    int exit = relay(InputStream.nullInputStream(), "analyze-headers", Golden.path("diagnose/five-hops.headers").toString());

    assertThat(err.toString()).isEmpty();
    assertThat(exit).as("the skewed clock and dmarc=fail are warnings").isEqualTo(1);
    Golden.assertMatches("diagnose/five-hops.analysis.txt", out.toString());
  }

  @Test
  void jsonCarriesEveryHopAndVerdict() throws Exception {
    byte[] headers = Files.readAllBytes(Golden.path("diagnose/five-hops.headers"));

    int exit = relay(new ByteArrayInputStream(headers), "analyze-headers", "--json");

    assertThat(exit).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.path("subject").asText()).isEqualTo("Scan 0042 \u2013 B\u00fcro Nord");
    assertThat(report.path("totalSeconds").asLong()).isEqualTo(90);
    JsonNode hops = report.path("hops");
    assertThat(hops).hasSize(5);
    assertThat(hops.get(0).path("by").asText()).isEqualTo("relay.contoso.com");
    assertThat(hops.get(0).path("date").asText()).isEqualTo("2026-11-23T08:15:30Z");
    assertThat(hops.get(2).path("skewed").asBoolean()).isTrue();
    assertThat(hops.get(2).path("delaySeconds").asLong()).isEqualTo(-1);
    assertThat(hops.get(3).path("date").asText()).as("23 Nov 26 03:16:04 EST").isEqualTo("2026-11-23T08:16:04Z");
    assertThat(hops.get(3).path("delaySeconds").asLong()).isEqualTo(33);
    assertThat(hops.get(4).path("date").asText()).as("no seconds").isEqualTo("2026-11-23T08:17:00Z");
    assertThat(hops.get(4).path("sharePercent").asInt()).isEqualTo(62);
    assertThat(report.path("authentication").findValuesAsText("method")).contains("spf", "dkim", "dmarc", "compauth", "arc-cv", "arc");
    assertThat(report.path("antispam").findValuesAsText("name")).contains("SCL", "SFV", "CAT", "CIP", "CTRY", "IPV", "BCL");
    assertThat(report.path("antispam").get(3).path("meaning").asText()).isEqualTo("not spam: Inbox");
    assertThat(report.path("warnings").toString()).contains("clocks disagree", "dmarc=fail");
  }

  @Test
  void spamVerdictsAreWarnings() {
    String headers = """
        Received: from mail.example.net by EX1.outlook.com with SMTP; Tue, 1 Dec 2026 10:00:00 +0000\r
        X-Forefront-Antispam-Report: CIP:2001:db8::25;CTRY:;SCL:6;SFV:SPM;CAT:BULK;SRV:BULK;\r
        X-Microsoft-Antispam: BCL:8;\r
        Subject: offer\r
        \r
        """;

    int exit = relay(new ByteArrayInputStream(headers.getBytes(StandardCharsets.US_ASCII)), "analyze-headers", "-");

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).contains(
        "CIP    2001:db8::25     the connecting IP address",
        "SCL    6                spam: the anti-spam policy's spam action",
        "SFV    SPM              spam: marked by spam filtering",
        "BCL    8                from a bulk sender with many complaints",
        "Warnings:\n  SCL:6 in X-Forefront-Antispam-Report");
  }

  @Test
  void cleanHeadersExitZero() {
    String headers = """
        Received: from a.example.org by b.example.org; Tue, 1 Dec 2026 10:00:00 +0000
        Received: from c.example.org by a.example.org; Tue, 1 Dec 2026 09:59:58 +0000
        Authentication-Results: b.example.org; spf=pass smtp.mailfrom=example.org
        Subject: hi

        """;

    int exit = relay(new ByteArrayInputStream(headers.getBytes(StandardCharsets.US_ASCII)), "analyze-headers");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("2 hops, 2s in all", "Warnings: none");
  }

  @Test
  void noHeaderFieldsExitTwo() {
    int exit = relay(new ByteArrayInputStream(new byte[0]), "analyze-headers", "-");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("relay analyze-headers: no header fields");
  }
}
