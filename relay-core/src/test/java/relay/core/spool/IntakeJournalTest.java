package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's intake journal as a restart sees it: a message file lost after its {@code 250} (a power
 * failure before the file reached the disk) comes back from the journal, a removed message does not,
 * a torn end of the journal costs only the unfinished append, and the journal stays bounded: sealed
 * segments are retired, and when none can be, commits force their own files.
 */
class IntakeJournalTest {

  // Three messages a segment, three segments: small enough to fill in a test.
  private static final IntakeJournal.Limits SMALL = new IntakeJournal.Limits(IntakeJournal.RECORD_MAX, 3, 3);

  @TempDir Path root;
  @TempDir Path archive;

  /** Retirements held back until the test runs them. */
  private final List<Runnable> heldRetirements = new ArrayList<>();

  private FileSpool spool(boolean retireAtOnce) throws IOException {
    FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(11),
        GroupCommit::of,
        directories -> new IntakeJournal(directories, SMALL, retireAtOnce ? Runnable::run : heldRetirements::add));
    spool.recover();
    return spool;
  }

  /** What a spool opened again, as after a restart, recovers; that spool is closed again. */
  private List<QueuedMessage> recoverAfterRestart(boolean retireAtOnce) throws IOException {
    try (FileSpool restarted = spool(retireAtOnce)) {
      return restarted.recover();
    }
  }

  private Path journal() {
    return root.resolve("journal");
  }

  @Test
  void messageFilesLostAfterTheirCommitAreWrittenAgainFromTheJournal() throws Exception {
    try (FileSpool spool = spool(false)) {
      QueuedMessage gone = commit(spool, text("Subject: gone\r\n\r\nlost with the page cache\r\n"));
      QueuedMessage cut = commit(spool, text("Subject: cut\r\n\r\nhalf written\r\n"));
      Files.delete(SpoolFixtures.messageFile(root, gone.id()));
      try (FileChannel file = FileChannel.open(SpoolFixtures.messageFile(root, cut.id()), StandardOpenOption.WRITE)) {
        file.truncate(10);
      }

      try (FileSpool restarted = spool(false)) {
        assertThat(restarted.recover()).containsExactly(gone, cut);
        assertThat(readBody(restarted.body(gone))).isEqualTo(text("Subject: gone\r\n\r\nlost with the page cache\r\n"));
        assertThat(readBody(restarted.body(cut))).isEqualTo(text("Subject: cut\r\n\r\nhalf written\r\n"));
        assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
      }
    }
  }

  @Test
  void aMessageOfSeveralSlicesIsJournaledAndWrittenAgainByteForByte() throws Exception {
    try (FileSpool spool = spool(false)) {
      QueuedMessage large;
      byte[] written;
      try (SpoolTransaction transaction = spool.begin()) {
        written = SpoolFixtures.writeRandom(transaction.body(), 200_000, 5); // journaled in 64 KiB slices
        large = transaction.commit(SpoolFixtures.envelope());
      }
      Files.delete(SpoolFixtures.messageFile(root, large.id()));

      try (FileSpool restarted = spool(false)) {
        assertThat(restarted.recover()).containsExactly(large);
        try (var in = restarted.body(large).open()) {
          assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())).isEqualTo(written);
        }
      }
    }
  }

  @Test
  void aRemovedMessageIsNotBroughtBack() throws Exception {
    try (FileSpool spool = spool(false)) {
      QueuedMessage delivered = commit(spool, text("delivered\r\n"));
      QueuedMessage waiting = commit(spool, text("waiting\r\n"));
      spool.remove(delivered);

      assertThat(recoverAfterRestart(false)).containsExactly(waiting);
    }
  }

  @Test
  void aTornEndOfTheJournalLosesOnlyTheAppendItCutShort() throws Exception {
    try (FileSpool spool = spool(false)) {
      QueuedMessage first = commit(spool, text("first\r\n"));
      QueuedMessage second = commit(spool, text("second\r\n"));
      Files.delete(SpoolFixtures.messageFile(root, first.id()));
      Files.delete(SpoolFixtures.messageFile(root, second.id()));
      Path segment = filesIn(journal()).getLast();
      try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        file.truncate(file.size() - 3); // the crash came before the second append was forced
      }

      assertThat(recoverAfterRestart(false)).containsExactly(first);
      assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
    }
  }

  @Test
  void sealedSegmentsAreRetiredSoTheJournalStaysBoundedAndNothingIsLost() throws Exception {
    try (FileSpool spool = spool(true)) {
      List<QueuedMessage> committed = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        committed.add(commit(spool, text("message " + i + "\r\n")));
      }
      spool.remove(committed.get(4));

      assertThat(spool.journal().segments()).isEqualTo(1);
      assertThat(filesIn(journal())).extracting(file -> file.getFileName().toString())
          .as("the current segment and a retired one kept to be written over").hasSize(2).contains("spare");
      List<QueuedMessage> expected = new ArrayList<>(committed);
      expected.remove(4);
      assertThat(recoverAfterRestart(true)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aSegmentWrittenOverARetiredOneDoesNotBringBackTheRetiredOnesMessages() throws Exception {
    try (FileSpool spool = spool(true)) {
      List<QueuedMessage> old = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        old.add(commit(spool, text("old " + i + "\r\n"))); // the first segment
      }
      List<QueuedMessage> kept = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // Same length as the old ones, so that the third segment's records end where an old one begins.
        kept.add(commit(spool, text("new " + i + "\r\n")));
      }
      // The first segment was retired and became the spare, the third segment was written over it.
      for (QueuedMessage each : old) {
        spool.remove(each);
      }
      for (QueuedMessage each : kept.subList(3, 5)) {
        Files.delete(SpoolFixtures.messageFile(root, each.id())); // only the third segment holds them
      }

      assertThat(recoverAfterRestart(true)).containsExactlyElementsOf(kept);
    }
  }

  @Test
  void whenNoSegmentCanBeRetiredCommitsForceTheirOwnFilesAndTheJournalTakesMoreOnceRetired() throws Exception {
    try (FileSpool spool = spool(false)) {
      List<QueuedMessage> committed = new ArrayList<>();
      for (int i = 0; i < 9; i++) { // three full segments, retirement held back
        committed.add(commit(spool, text("journaled " + i + "\r\n")));
      }
      assertThat(spool.journal().segments()).isEqualTo(3);

      QueuedMessage forcedItself = commit(spool, text("not journaled\r\n"));
      committed.add(forcedItself);
      assertThat(filesIn(journal())).as("no fourth segment").hasSize(3);

      heldRetirements.removeFirst().run();
      committed.add(commit(spool, text("journaled again\r\n")));
      assertThat(spool.journal().segments()).isLessThanOrEqualTo(3);
      assertThat(recoverAfterRestart(true)).containsExactlyElementsOf(committed);
    }
  }

  @Test
  void anExportTakesJournaledMessagesForGoodSoARestartDoesNotBringThemBack() throws Exception {
    try (FileSpool spool = spool(false)) {
      commit(spool, text("moving to another node\r\n"));
    }

    ArchiveReport report = new SpoolExport(root, SpoolFixtures.CLOCK).to(archive.resolve("out"));

    assertThat(report.moved()).isEqualTo(1);
    assertThat(recoverAfterRestart(false)).isEmpty();
  }
}
