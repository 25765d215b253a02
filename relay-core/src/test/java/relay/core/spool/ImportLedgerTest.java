package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.MessageId;

/**
 * The import ledger stays bounded: markers spread over arrival-period directories, a ledger of the
 * earlier flat layout still honoured (and converted), periods past the retention forgotten, and a
 * message older than what the ledger remembers never imported, so forgetting cannot send it twice.
 * Time comes from test clocks; nothing sleeps.
 */
class ImportLedgerTest {

  private static final Instant NOW = SpoolFixtures.RECEIVED;
  private static final Duration RETENTION = ImportLedger.MIN_RETENTION;

  @TempDir Path dir;

  /** Queues {@code count} messages on spool a and exports them into {@code archive}. */
  private Path archiveOf(int count) throws IOException {
    try (FileSpool source = spool(dir.resolve("a"))) {
      for (int i = 0; i < count; i++) {
        SpoolFixtures.commit(source, text("Subject: " + i + "\r\n\r\nbody " + i + "\r\n"));
      }
    }
    Path archive = dir.resolve("archive");
    new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive);
    return archive;
  }

  private ArchiveReport importInto(Path spool, Path archive, Instant at) throws IOException {
    return new SpoolImport(spool, InstantSource.fixed(at), SpoolFixtures.LIFETIME).from(archive);
  }

  /** Delivers (removes) everything queued on the spool at {@code root}. */
  private void deliverAll(Path root) throws IOException {
    try (FileSpool target = spool(root)) {
      for (QueuedMessage message : target.recover()) {
        target.remove(message);
      }
    }
  }

  private static MessageId madeAt(Instant at) {
    return new MessageIdSource(InstantSource.fixed(at), new SplittableRandom(at.toEpochMilli())).next();
  }

  private static List<Path> entriesOf(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.toList();
    }
  }

  @Test
  void markersLandInTheArrivalPeriodDirectoriesOfTheirIds() throws Exception {
    Path archive = archiveOf(3);

    importInto(dir.resolve("b"), archive, NOW);

    Path done = dir.resolve("b").resolve("imports").resolve("done");
    assertThat(entriesOf(done)).as("no marker directly in done/").allMatch(Files::isDirectory);
    List<Path> markers = filesIn(done);
    assertThat(markers).hasSize(3).allSatisfy(marker -> {
      String id = marker.getFileName().toString();
      assertThat(done.relativize(marker).toString())
          .isEqualTo(id.substring(0, 6) + "/" + id.charAt(6) + "/" + id);
    });
  }

  @Test
  void aFlatLedgerWrittenBeforeTheSpreadIsHonouredAndConverted() throws Exception {
    Path archive = archiveOf(3);
    importInto(dir.resolve("b"), archive, NOW);
    deliverAll(dir.resolve("b"));
    // As the ledger was written until now: every marker directly in done/.
    Path done = dir.resolve("b").resolve("imports").resolve("done");
    for (Path marker : filesIn(done)) {
      Files.move(marker, done.resolve(marker.getFileName()));
    }
    for (Path period : entriesOf(done)) {
      if (Files.isDirectory(period)) {
        try (Stream<Path> tree = Files.walk(period)) {
          tree.sorted((x, y) -> y.getNameCount() - x.getNameCount()).forEach(p -> p.toFile().delete());
        }
      }
    }
    assertThat(entriesOf(done)).hasSize(3).allMatch(Files::isRegularFile);

    ArchiveReport again = importInto(dir.resolve("b"), archive, NOW.plus(Duration.ofDays(1)));

    assertThat(again.moved()).as("delivered and removed, yet remembered").isZero();
    assertThat(again.alreadyDone()).isEqualTo(3);
    assertThat(recoverAfterRestart(dir.resolve("b"))).isEmpty();
    assertThat(entriesOf(done)).as("converted into period directories").allMatch(Files::isDirectory);
    assertThat(filesIn(done)).hasSize(3);
  }

  @Test
  void tidyingForgetsOnlyPeriodsThatEndedBeforeTheRetention() throws Exception {
    ImportLedger ledger = new ImportLedger(dir);
    Instant now = Instant.parse("2026-12-07T06:00:00Z");
    MessageId old = madeAt(now.minus(RETENTION).minus(Duration.ofHours(1)));
    MessageId young = madeAt(now.minus(RETENTION).plus(Duration.ofHours(1)));
    MessageId foreign = new MessageId("not-from-a-relay-spool");
    for (MessageId id : List.of(old, young, foreign)) {
      ledger.record(id);
    }

    Instant horizon = ledger.tidy(now, RETENTION);

    assertThat(horizon).isEqualTo(now.minus(RETENTION));
    assertThat(ledger.isDone(old)).isFalse();
    assertThat(dir.resolve("imports/done").resolve(old.value().substring(0, 6))).doesNotExist();
    assertThat(ledger.isDone(young)).isTrue();
    assertThat(ledger.isDone(foreign)).as("no time to judge it by: kept").isTrue();
    assertThat(ImportLedger.forgets(old, horizon)).isTrue();
    assertThat(ImportLedger.forgets(young, horizon)).isFalse();
    assertThat(ImportLedger.forgets(foreign, horizon)).isFalse();
    assertThat(Files.readString(dir.resolve("imports/forgotten-before")).strip()).isEqualTo(horizon.toString());
  }

  @Test
  void aPeriodReachingIntoTheRetentionIsKeptWhole() throws Exception {
    ImportLedger ledger = new ImportLedger(dir);
    Instant now = Instant.parse("2026-12-07T06:00:00Z");
    Instant cut = now.minus(RETENTION);
    MessageId justBefore = madeAt(cut.minusMillis(1));
    MessageId justAfter = madeAt(cut.plusMillis(1));
    ledger.record(justBefore);
    ledger.record(justAfter);

    Instant horizon = ledger.tidy(now, RETENTION);

    // Same 17.5-minute period: the directory stays until the whole period is past the horizon, and
    // the message before the horizon is refused by age anyway.
    assertThat(justBefore.value().substring(0, 6)).isEqualTo(justAfter.value().substring(0, 6));
    assertThat(ledger.isDone(justBefore)).isTrue();
    assertThat(ImportLedger.forgets(justBefore, horizon)).isTrue();
    assertThat(ledger.isDone(justAfter)).isTrue();
  }

  @Test
  void theRetentionIsThirtyDaysOrTwiceTheLongestLifetime() {
    assertThat(ImportLedger.retention(Duration.ofDays(2))).isEqualTo(Duration.ofDays(30));
    assertThat(ImportLedger.retention(Duration.ofDays(20))).isEqualTo(Duration.ofDays(40));
  }

  @Test
  void aLongerLifetimeKeepsMessagesImportable() throws Exception {
    Path archive = archiveOf(1);

    ArchiveReport imported = new SpoolImport(dir.resolve("b"), InstantSource.fixed(NOW.plus(Duration.ofDays(45))),
        Duration.ofDays(30)).from(archive);

    assertThat(imported.moved()).as("45 days old, retention 60 days").isEqualTo(1);
  }

  @Test
  void theHorizonNeverMovesBackWhenTheClockDoes() throws Exception {
    ImportLedger ledger = new ImportLedger(dir);
    Instant now = Instant.parse("2026-12-07T06:00:00Z");
    Instant first = ledger.tidy(now, RETENTION);

    assertThat(ledger.tidy(now.minus(Duration.ofDays(10)), RETENTION)).isEqualTo(first);
    assertThat(ledger.tidy(now.plus(Duration.ofDays(1)), RETENTION)).isEqualTo(first.plus(Duration.ofDays(1)));
  }

  @Test
  void aDamagedHorizonStopsTheImportRatherThanGuessing() throws Exception {
    Path archive = archiveOf(1);
    Files.createDirectories(dir.resolve("b").resolve("imports"));
    Files.writeString(dir.resolve("b").resolve("imports").resolve("forgotten-before"), "garbage\n");

    assertThatThrownBy(() -> importInto(dir.resolve("b"), archive, NOW))
        .isInstanceOf(CorruptRecordException.class).hasMessageContaining("forgotten-before is damaged");
    assertThat(dir.resolve("b").resolve("queue")).satisfiesAnyOf(
        queue -> assertThat(queue).doesNotExist(), queue -> assertThat(filesIn(queue)).isEmpty());
  }

  @Test
  void anArchiveReimportedAfterTheRetentionAddsNothingAndSaysWhy() throws Exception {
    Path archive = archiveOf(2);
    importInto(dir.resolve("b"), archive, NOW);
    deliverAll(dir.resolve("b"));
    Instant later = NOW.plus(RETENTION).plus(Duration.ofDays(1));

    ArchiveReport again = importInto(dir.resolve("b"), archive, later);

    assertThat(filesIn(dir.resolve("b").resolve("imports").resolve("done"))).as("forgotten").isEmpty();
    assertThat(again.moved()).as("never sent twice").isZero();
    assertThat(again.notes()).singleElement().asString()
        .startsWith("2 message(s) queued before " + later.minus(RETENTION) + " not imported")
        .contains("left in the archive");
    assertThat(recoverAfterRestart(dir.resolve("b"))).isEmpty();
  }

  @Test
  void anArchiveWithinTheRetentionImportsIntoAFreshSpool() throws Exception {
    Path archive = archiveOf(2);

    ArchiveReport imported = importInto(dir.resolve("b"), archive,
        NOW.plus(RETENTION).minus(Duration.ofHours(1)));

    assertThat(imported.moved()).isEqualTo(2);
    assertThat(imported.notes()).isEmpty();
  }
}
