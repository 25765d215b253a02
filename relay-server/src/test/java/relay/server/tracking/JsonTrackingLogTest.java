package relay.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.metrics.SmtpStage;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.session.SessionTls;
import relay.core.tracking.TrackingEvent;

class JsonTrackingLogTest {

  private static final Instant AT = Instant.parse("2026-03-01T08:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MailPath SENDER = MailPath.parse("scanner@contoso.com");

  @Test
  void queuedNotificationIsOneLineNamingBothMessagesItsTargetAndTheRecipientsConcerned() {
    String line = JsonTrackingLog.json(new TrackingEvent.DsnQueued(
        AT, new MessageId("M1"), new MessageId("N1"), "failed",
        MailPath.parse("scanner@corp.example"),
        List.of(MailPath.parse("gone@partner.example"), MailPath.parse("lost@partner.example"))));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"dsn-queued\",\"id\":\"M1\","
        + "\"notification\":\"N1\",\"action\":\"failed\",\"to\":\"" + MailPath.parse("scanner@corp.example") + "\","
        + "\"recipients\":[\"" + MailPath.parse("gone@partner.example") + "\",\""
        + MailPath.parse("lost@partner.example") + "\"]}");
  }

  @Test
  void deliveryWritesTheReplyAndTheHopAsSeparateFields() {
    UpstreamHop hop = new UpstreamHop("smtp.office365.com", "2001:db8::25",
        new UpstreamHop.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "smtp.office365.com"), "hr@contoso.com");
    SmtpReply reply = new SmtpReply(250, EnhancedStatus.parse("2.0.0"), List.of("OK <id@x> [Hostname=AM0P]", "queued"));

    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M1"), "m365",
        SENDER, MailPath.parse("a@fabrikam.com"), TrackingEvent.Result.DELIVERED, new AttemptReport.Replied(reply, hop), AT));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"delivered\",\"id\":\"M1\","
        + "\"connector\":\"m365\",\"recipient\":\"" + MailPath.parse("a@fabrikam.com") + "\","
        + "\"code\":250,\"status\":\"2.0.0\",\"reply\":\"OK <id@x> [Hostname=AM0P] / queued\","
        + "\"cause\":null,\"reason\":null,"
        + "\"remote_host\":\"smtp.office365.com\",\"remote_ip\":\"2001:db8::25\",\"login\":\"hr@contoso.com\","
        + "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"verified\":\"smtp.office365.com\"},"
        + "\"sender\":\"<scanner@contoso.com>\"}");
  }

  @Test
  void replyWithoutEnhancedStatusHasANullStatusNotAMadeUpOne() {
    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M1"), "partner",
        SENDER, MailPath.parse("b@partner.example"), TrackingEvent.Result.DEFERRED,
        new AttemptReport.Replied(SmtpReply.of(421, null, "Service \"busy\""), UpstreamHop.plain("mx", "192.0.2.1")), AT));

    assertThat(line).contains(",\"code\":421,\"status\":null,\"reply\":\"Service \\\"busy\\\"\",")
        .endsWith(",\"remote_host\":\"mx\",\"remote_ip\":\"192.0.2.1\",\"login\":null,\"tls\":null,"
            + "\"sender\":\"<scanner@contoso.com>\"}");
  }

  @Test
  void localFailureWritesItsCauseAndReasonAndNoReply() {
    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M2"), "partner",
        SENDER, MailPath.parse("b@partner.example"), TrackingEvent.Result.DEFERRED,
        new AttemptReport.Local(LocalCause.TLS_FAILED, "mx.partner.example:25: certificate expired on 2026-01-01"), AT));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"deferred\",\"id\":\"M2\","
        + "\"connector\":\"partner\",\"recipient\":\"" + MailPath.parse("b@partner.example") + "\","
        + "\"code\":null,\"status\":null,\"reply\":null,"
        + "\"cause\":\"tls-failed\",\"reason\":\"mx.partner.example:25: certificate expired on 2026-01-01\","
        + "\"remote_host\":null,\"remote_ip\":null,\"login\":null,\"tls\":null,\"sender\":\"<scanner@contoso.com>\"}");
  }

  @Test
  void receivedKeepsItsFieldsAndAddsMessageIdSubjectUserAndTls() throws Exception {
    String line = JsonTrackingLog.json(received("Scan \"7\"\t\u0001from \\ floor 2", new SessionTls("TLSv1.3", "TLS_AES_128_GCM_SHA256")));

    assertThat(line).startsWith("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"received\",\"session\":\"a1b2c\","
        + "\"client\":\"192.0.2.10\",\"connector\":\"printers\",\"sender\":\"<scanner@contoso.com>\","
        + "\"recipients\":[\"<a@fabrikam.com>\"],\"size\":1234,\"rules\":[],");
    JsonNode json = JSON.readTree(line);
    assertThat(json.get("message_id").asText()).isEqualTo("<scan-7@printer.contoso.com>");
    assertThat(json.get("subject").asText()).isEqualTo("Scan \"7\" from \\ floor 2");
    assertThat(json.get("user").asText()).isEqualTo("scanner");
    assertThat(json.get("tls").get("version").asText()).isEqualTo("TLSv1.3");
    assertThat(json.get("tls").get("cipher").asText()).isEqualTo("TLS_AES_128_GCM_SHA256");
    assertThat(JsonTrackingLog.json(received("", null))).contains("\"user\":\"scanner\",\"tls\":null}");
  }

  @Test
  void rejectedNamesClientConnectorStageAndReplyAndUsesNullForWhatItDoesNotKnow() throws Exception {
    String line = JsonTrackingLog.json(new TrackingEvent.Rejected(AT, "a1b2c", "192.0.2.99", null, SmtpStage.CONNECT,
        null, null, null, Replies.CLIENT_NOT_ALLOWED, "no inbound connector admits client 192.0.2.99", DecisionTrace.NONE));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"rejected\",\"session\":\"a1b2c\","
        + "\"stage\":\"connect\",\"sender\":null,\"recipient\":null,\"reply\":\"554 5.7.1 Access denied\","
        + "\"reason\":\"no inbound connector admits client 192.0.2.99\",\"rules\":[],\"client\":\"192.0.2.99\","
        + "\"connector\":null,\"user\":null}");
  }

  @Test
  void controlCharactersAnywhereNeverBreakTheLineAndReadBackUnchanged() throws Exception {
    String why = "rule 'x'\r\nInjected: \u0000\u001b[31m \u2028 \"quoted\" \\ end";
    String line = JsonTrackingLog.json(new TrackingEvent.Discarded(AT, "s\n1", MailPath.parse("a@b.example"), why));

    assertThat(line).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u0000");
    JsonNode json = JSON.readTree(line);
    assertThat(json.get("why").asText()).isEqualTo(why);
    assertThat(json.get("session").asText()).isEqualTo("s\n1");
  }

  /**
   * The field names of every event, as docs/configuration.md lists them and {@code relay trace}
   * reads them: names are only ever added, never renamed or removed.
   */
  @Test
  void everyEventParsesAsJsonWithItsDocumentedFieldNames() throws Exception {
    UpstreamHop hop = UpstreamHop.plain("mx", "192.0.2.1");
    Map<TrackingEvent, List<String>> events = new LinkedHashMap<>();
    events.put(received("Scan", null), List.of("at", "event", "session", "client", "connector", "sender", "recipients",
        "size", "rules", "message_id", "subject", "user", "tls"));
    events.put(new TrackingEvent.Routed(AT, "a1b2c", new MessageId("M1"), "m365", SENDER,
        List.of(MailPath.parse("a@fabrikam.com")), true),
        List.of("at", "event", "session", "id", "connector", "recipients", "requireTls", "sender"));
    events.put(new TrackingEvent.Discarded(AT, "a1b2c", MailPath.parse("a@fabrikam.com"), "rule 'x'"),
        List.of("at", "event", "session", "recipient", "why"));
    events.put(new TrackingEvent.Rejected(AT, "a1b2c", "192.0.2.10", "printers", SmtpStage.RCPT, SENDER,
        MailPath.parse("x@elsewhere.example"), null, Replies.RELAY_DENIED, "relay", DecisionTrace.NONE),
        List.of("at", "event", "session", "stage", "sender", "recipient", "reply", "reason", "rules", "client",
            "connector", "user"));
    events.put(new TrackingEvent.Delivery(AT, new MessageId("M1"), "m365", SENDER, MailPath.parse("a@fabrikam.com"),
        TrackingEvent.Result.HELD, new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"), hop), AT),
        List.of("at", "event", "id", "connector", "recipient", "code", "status", "reply", "cause", "reason",
            "remote_host", "remote_ip", "login", "tls", "sender"));
    events.put(new TrackingEvent.Held(AT, new MessageId("M1"), "gone"), List.of("at", "event", "id", "connector"));
    events.put(new TrackingEvent.DsnQueued(AT, new MessageId("M1"), new MessageId("N1"), "delayed", SENDER, List.of()),
        List.of("at", "event", "id", "notification", "action", "to", "recipients"));
    events.put(new TrackingEvent.OperatorAction(AT, new MessageId("M1"), "bounce", "ops", true, "removed"),
        List.of("at", "event", "id", "action", "operator", "done", "detail"));

    for (Map.Entry<TrackingEvent, List<String>> e : events.entrySet()) {
      JsonNode json = JSON.readTree(JsonTrackingLog.json(e.getKey()));
      List<String> names = new ArrayList<>();
      json.fieldNames().forEachRemaining(names::add);
      assertThat(names).as(e.getKey().getClass().getSimpleName()).containsExactlyElementsOf(e.getValue());
    }
  }

  private static TrackingEvent.Received received(String subject, SessionTls tls) {
    return new TrackingEvent.Received(AT, "a1b2c", "192.0.2.10", "printers", SENDER,
        List.of(MailPath.parse("a@fabrikam.com")), 1234, DecisionTrace.NONE, "<scan-7@printer.contoso.com>", subject,
        "scanner", tls);
  }
}
