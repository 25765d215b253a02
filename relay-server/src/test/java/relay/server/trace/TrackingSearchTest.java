package relay.server.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.metrics.SmtpStage;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.session.SessionTls;
import relay.core.tracking.TrackingEvent;
import relay.server.tracking.JsonTrackingLog;

/**
 * {@link TrackingSearch} over real files as Relay leaves them: a whole rolled day, a day rolled by
 * size in two parts, and the live file, written with the real {@link JsonTrackingLog}.
 */
class TrackingSearchTest {

  // Day 1 (a whole day, .gz): an old message. Day 2 (two parts, .gz): the scan's session, which first
  // sends a test message, then the scan, accepted at the very end of the day; a refusal. Day 3 (live):
  // the scan's delivery after a deferral, and a bounce with its DSN.
  private static final MailPath SCANNER = MailPath.parse("scanner@contoso.com");
  private static final MailPath ALICE = MailPath.parse("alice@fabrikam.com");
  private static final MailPath BOB = MailPath.parse("Bob@Partner.example");
  private static final String SCAN = "01MA0000000000SCAN00001";
  private static final String TEST = "01MA0000000000TEST00001";
  private static final String OLD = "01MA0000000000OLD000001";
  private static final String BOUNCE = "01MA0000000000BOUNCE001";
  private static final String DSN = "01MA0000000000DSN000001";
  private static final Instant NOW = Instant.parse("2026-03-03T12:00:00Z");

  @TempDir Path dir;
  private TrackingSearch search;

  @BeforeEach
  void writeLogs() throws IOException {
    write("tracking.2026-03-01.log.gz", List.of(
        received("2026-03-01T10:00:00Z", "s0", "<old@printer>", "Old report", ALICE),
        routed("2026-03-01T10:00:00.010Z", "s0", OLD, ALICE),
        delivered("2026-03-01T10:00:01Z", OLD, ALICE)));
    write("tracking.2026-03-02.1.log.gz", List.of(
        received("2026-03-02T08:00:00Z", "s7", "<test@printer>", "Test page", ALICE),
        routed("2026-03-02T08:00:00.010Z", "s7", TEST, ALICE),
        delivered("2026-03-02T08:00:01Z", TEST, ALICE),
        new TrackingEvent.Rejected(at("2026-03-02T09:00:00Z"), "s8", "192.0.2.66", "printers", SmtpStage.RCPT, SCANNER,
            MailPath.parse("x@elsewhere.example"), null, Replies.RELAY_DENIED, "relay denied", DecisionTrace.NONE)));
    write("tracking.2026-03-02.2.log.gz", List.of(
        new TrackingEvent.Rejected(at("2026-03-02T23:59:58Z"), "s7", "192.0.2.10", "printers", SmtpStage.RCPT, SCANNER,
            MailPath.parse("y@elsewhere.example"), null, Replies.RELAY_DENIED, "relay denied", DecisionTrace.NONE),
        received("2026-03-02T23:59:59Z", "s7", "<scan-42@printer>", "Scanned INVOICE 42", ALICE, BOB),
        routed("2026-03-02T23:59:59.010Z", "s7", SCAN, ALICE, BOB),
        deferred("2026-03-02T23:59:59.500Z", SCAN, BOB)));
    write("tracking.log", List.of(
        delivered("2026-03-03T00:00:00.100Z", SCAN, ALICE),
        delivered("2026-03-03T00:05:00Z", SCAN, BOB),
        received("2026-03-03T09:00:00Z", "s9", "<bounce@printer>", "Report", MailPath.parse("gone@partner.example")),
        routed("2026-03-03T09:00:00.010Z", "s9", BOUNCE, MailPath.parse("gone@partner.example")),
        new TrackingEvent.Delivery(at("2026-03-03T09:00:01Z"), new MessageId(BOUNCE), "m365", SCANNER,
            MailPath.parse("gone@partner.example"), TrackingEvent.Result.FAILED,
            new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "User unknown"), hop()), at("2026-03-03T09:00:00Z")),
        new TrackingEvent.DsnQueued(at("2026-03-03T09:00:01.100Z"), new MessageId(BOUNCE), new MessageId(DSN), "failed",
            SCANNER, List.of(MailPath.parse("gone@partner.example"))),
        new TrackingEvent.Delivery(at("2026-03-03T09:00:02Z"), new MessageId(DSN), "m365", MailPath.NULL, SCANNER,
            TrackingEvent.Result.DELIVERED, new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"), hop()),
            at("2026-03-03T09:00:01Z"))));
    Files.setLastModifiedTime(dir.resolve("tracking.log"), FileTime.from(Instant.parse("2026-03-03T09:00:02Z")));
    search = new TrackingSearch(dir);
  }

  private List<TracedEvent> find(TraceQuery query) throws IOException {
    List<TracedEvent> out = new ArrayList<>();
    search.search(query, out::add);
    return out;
  }

  private static TraceQuery all() {
    return TraceQuery.window(Instant.parse("2026-03-01T00:00:00Z"), NOW);
  }

  private static List<String> summary(List<TracedEvent> events) {
    return events.stream().map(e -> e.event() + " " + (e.id() != null ? e.id() : e.session())).toList();
  }

  @Test
  void aWindowOpensOnlyTheFilesWhoseDayItOverlaps() throws IOException {
    List<TracedEvent> events = new ArrayList<>();
    SearchStats stats = search.search(TraceQuery.window(Instant.parse("2026-03-02T07:00:00Z"),
        Instant.parse("2026-03-02T12:00:00Z")), events::add);

    assertThat(stats.files()).isEqualTo(2);
    assertThat(summary(events)).containsExactly("received s7", "routed " + TEST, "delivered " + TEST, "rejected s8");

    SearchStats today = search.search(TraceQuery.window(Instant.parse("2026-03-03T08:00:00Z"), NOW), e -> {});
    assertThat(today.files()).isEqualTo(1);
    assertThat(today.matched()).isEqualTo(5);
  }

  @Test
  void theWholeWindowReadsEveryFileOldestFirst() throws IOException {
    List<TracedEvent> events = find(all());
    assertThat(events).hasSize(18);
    assertThat(events.getFirst().id()).isNull();
    assertThat(events.getFirst().text("message_id")).isEqualTo("<old@printer>");
    assertThat(events.getLast().id()).isEqualTo(DSN);
  }

  @Test
  void bySenderFindsEveryLineThatNamesItAndTheLinesJoinedToThem() throws IOException {
    List<TracedEvent> events = find(all().withSender("<scanner@contoso.com>").withStatuses(Set.of("failed", "dsn")));
    assertThat(summary(events)).containsExactly("failed " + BOUNCE, "dsn-queued " + BOUNCE);
  }

  @Test
  void byRecipientWholeOrPartAndCaseInsensitive() throws IOException {
    assertThat(summary(find(all().withRecipient("bob@partner.example"))))
        .containsExactly("received s7", "routed " + SCAN, "deferred " + SCAN, "delivered " + SCAN);
    assertThat(summary(find(all().withRecipient("@PARTNER.example").withStatuses(Set.of("delivered")))))
        .containsExactly("delivered " + SCAN);
    // A whole address is compared whole: not a part of a longer one.
    assertThat(find(all().withRecipient("ob@partner.example"))).isEmpty();
  }

  @Test
  void bySubjectFindsTheMessageAndThroughItsQueueIdItsDeliveriesInLaterFiles() throws IOException {
    assertThat(summary(find(all().withSubject("invoice"))))
        .containsExactly("received s7", "routed " + SCAN, "deferred " + SCAN, "delivered " + SCAN, "delivered " + SCAN);
  }

  @Test
  void byMessageIdQueueIdClientAndStatus() throws IOException {
    assertThat(summary(find(all().withMessageId("scan-42@printer").withStatuses(Set.of("delivered")))))
        .containsExactly("delivered " + SCAN, "delivered " + SCAN);
    assertThat(summary(find(all().withQueueId(BOUNCE))))
        .containsExactly("routed " + BOUNCE, "failed " + BOUNCE, "dsn-queued " + BOUNCE);
    // The DSN's own id finds the line that queued it and its delivery.
    assertThat(summary(find(all().withQueueId(DSN)))).containsExactly("dsn-queued " + BOUNCE, "delivered " + DSN);
    assertThat(summary(find(all().withClient("192.0.2.66")))).containsExactly("rejected s8");
    assertThat(summary(find(all().withStatuses(Set.of("rejected"))))).containsExactly("rejected s8", "rejected s7");
  }

  @Test
  void theLimitStopsTheSearch() throws IOException {
    List<TracedEvent> events = new ArrayList<>();
    SearchStats stats = search.search(all().withLimit(2), events::add);
    assertThat(events).hasSize(2);
    assertThat(stats.limited()).isTrue();
    assertThat(stats.files()).isEqualTo(1);
  }

  @Test
  void aQueueIdsTimelineIsInTimeOrderAcrossFilesAndKeepsOnlyItsOwnTransaction() throws IOException {
    TrackingSearch.Timeline timeline = search.timeline(SCAN, Instant.parse("2026-03-02T00:00:00Z"), NOW);

    // The session's earlier message (s7's test page) is not part of the scan's story; the refusal of
    // a recipient in the scan's own transaction is.
    assertThat(summary(timeline.events())).containsExactly("rejected s7", "received s7", "routed " + SCAN,
        "deferred " + SCAN, "delivered " + SCAN, "delivered " + SCAN);
    assertThat(timeline.events().get(1).object("tls").path("version").asText()).isEqualTo("TLSv1.3");
  }

  @Test
  void aMessageIdOrSessionTimelineAndADsnIsFollowedToItsDelivery() throws IOException {
    assertThat(summary(search.timeline("<bounce@printer>", Instant.parse("2026-03-03T00:00:00Z"), NOW).events()))
        .containsExactly("received s9", "routed " + BOUNCE, "failed " + BOUNCE, "dsn-queued " + BOUNCE, "delivered " + DSN);
    assertThat(summary(search.timeline("s9", Instant.parse("2026-03-03T00:00:00Z"), NOW).events()))
        .startsWith("received s9", "routed " + BOUNCE);
    assertThat(search.timeline("nothing-like-it", Instant.parse("2026-03-01T00:00:00Z"), NOW).events()).isEmpty();
  }

  @Test
  void aQueueIdTellsWhenItsStoryStarts() {
    assertThat(TrackingSearch.queuedAt("01M8YKJC3Z0000EJYGTKSK")).isPresent();
    assertThat(TrackingSearch.queuedAt("<scan-42@printer>")).isEmpty();
  }

  @Test
  void aRolledFileBeingCompressedIsReadOnceFromItsCompleteCopy() throws IOException {
    // As LogArchive leaves it for a moment: the complete .log and a partial .gz of it.
    Path part = dir.resolve("tracking.2026-03-02.1.log.gz");
    byte[] whole = Files.readAllBytes(part);
    Files.write(dir.resolve("tracking.2026-03-02.1.log"), new java.util.zip.GZIPInputStream(
        new java.io.ByteArrayInputStream(whole)).readAllBytes());
    Files.write(part, java.util.Arrays.copyOf(whole, whole.length / 2));

    assertThat(summary(find(all().withQueueId(TEST)))).containsExactly("routed " + TEST, "delivered " + TEST);
  }

  @Test
  void aTruncatedCompressedFileIsReadUpToWhereItEndsAndTornLinesAreSkipped() throws IOException {
    Path part = dir.resolve("tracking.2026-03-02.2.log.gz");
    byte[] whole = Files.readAllBytes(part);
    Files.write(part, java.util.Arrays.copyOf(whole, whole.length - 12));
    Files.writeString(dir.resolve("tracking.log"), "{\"at\":\"2026-03-03T10:00:00Z\",\"ev\n",
        java.nio.file.StandardOpenOption.APPEND);
    Files.setLastModifiedTime(dir.resolve("tracking.log"), FileTime.from(Instant.parse("2026-03-03T10:00:00Z")));

    List<TracedEvent> events = new ArrayList<>();
    SearchStats stats = search.search(all(), events::add);
    assertThat(stats.skipped()).isGreaterThanOrEqualTo(2);
    assertThat(summary(events)).contains("delivered " + DSN);
  }

  // --- writing the files ---

  private void write(String name, List<TrackingEvent> events) throws IOException {
    StringBuilder text = new StringBuilder();
    events.forEach(e -> text.append(JsonTrackingLog.json(e)).append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)))) {
        out.write(bytes);
      }
    } else {
      Files.write(dir.resolve(name), bytes);
    }
  }

  private static Instant at(String text) {
    return Instant.parse(text);
  }

  private static TrackingEvent received(String at, String session, String messageId, String subject, MailPath... to) {
    return new TrackingEvent.Received(at(at), session, "192.0.2.10", "printers", SCANNER, List.of(to), 1000,
        DecisionTrace.NONE, messageId, subject, null, new SessionTls("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
  }

  private static TrackingEvent routed(String at, String session, String id, MailPath... to) {
    return new TrackingEvent.Routed(at(at), session, new MessageId(id), "m365", SCANNER, List.of(to), false);
  }

  private static TrackingEvent delivered(String at, String id, MailPath to) {
    return new TrackingEvent.Delivery(at(at), new MessageId(id), "m365", SCANNER, to, TrackingEvent.Result.DELIVERED,
        new AttemptReport.Replied(SmtpReply.of(250, "2.6.0", "Queued mail for delivery"), hop()), at(at));
  }

  private static TrackingEvent deferred(String at, String id, MailPath to) {
    return new TrackingEvent.Delivery(at(at), new MessageId(id), "m365", SCANNER, to, TrackingEvent.Result.DEFERRED,
        new AttemptReport.Replied(SmtpReply.of(451, "4.7.500", "Server busy"), hop()), at(at));
  }

  private static UpstreamHop hop() {
    return new UpstreamHop("smtp.office365.com", "52.96.1.2",
        new UpstreamHop.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "smtp.office365.com"), null);
  }
}
