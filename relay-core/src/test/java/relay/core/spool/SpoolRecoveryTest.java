package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;
import static relay.core.testing.Attempts.reply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolRecoveryTest {

  private static final byte[] BODY = text("Subject: torn\r\n\r\nsome body text\r\n");

  @TempDir Path root;

  private Path messageFile(QueuedMessage message) {
    return SpoolFixtures.messageFile(root, message.id());
  }

  /** Commits one good message and one victim, damages the victim, and recovers. */
  private List<QueuedMessage> recoverAfterDamaging(FileDamage damage) throws IOException {
    try (FileSpool spool = spool(root)) {
      QueuedMessage intact = commit(spool, text("intact\r\n"));
      QueuedMessage victim = commit(spool, BODY);
      filesForced(spool);
      damage.apply(messageFile(victim));

      List<QueuedMessage> recovered = recoverAfterRestart(root);

      assertThat(recovered).containsExactly(intact);
      assertThat(filesIn(root.resolve("queue"))).containsExactly(messageFile(intact));
      assertThat(root.resolve("quarantine").resolve(victim.id() + ".msg")).exists();
      return recovered;
    }
  }

  /**
   * The messages' own files are forced and the journal no longer holds them: what a disk damages
   * from now on is damage to the only copy (the journal's copies are tested in IntakeJournalTest).
   */
  private static void filesForced(FileSpool spool) throws IOException {
    spool.journal().retireAll();
  }

  @FunctionalInterface
  private interface FileDamage {
    void apply(Path file) throws IOException;
  }

  // Offsets counted from the end of the file, so they land in trailer, record and body alike.
  @ParameterizedTest
  @ValueSource(longs = {1, 4, 16, 31, 32, 33, 60, 200})
  void messageFileCutShortIsQuarantined(long bytesLost) throws Exception {
    recoverAfterDamaging(file -> truncate(file, size -> size - bytesLost));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 5, 20})
  void messageFileCutInsideTheBodyIsQuarantined(long keep) throws Exception {
    recoverAfterDamaging(file -> truncate(file, size -> keep));
  }

  @Test
  void zeroLengthMessageFileIsQuarantined() throws Exception {
    recoverAfterDamaging(file -> truncate(file, size -> 0));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 10, 40, 60, 100, 150, -32, -20, -8, -1})
  void flippedByteAnywhereInTheFileIsQuarantined(long offset) throws Exception {
    recoverAfterDamaging(
        file -> {
          long at = offset >= 0 ? offset : Files.size(file) + offset;
          byte[] bytes = Files.readAllBytes(file);
          bytes[(int) at] ^= 0x20;
          Files.write(file, bytes);
        });
  }

  @Test
  void garbageFileWithAMessageNameIsQuarantined() throws Exception {
    recoverAfterDamaging(file -> Files.write(file, text("this is not a spool file at all, no no no no")));
  }

  @Test
  void unknownLayoutVersionWithValidChecksumsIsQuarantined() throws Exception {
    recoverAfterDamaging(
        file -> {
          byte[] bytes = Files.readAllBytes(file);
          int trailer = bytes.length - SpoolFileFormat.TRAILER_BYTES;
          ByteBuffer.wrap(bytes).putShort(trailer + 4, (short) 2);
          int crc = SpoolFileFormat.crc(bytes, trailer, SpoolFileFormat.TRAILER_BYTES - 4);
          ByteBuffer.wrap(bytes).putInt(bytes.length - 4, crc);
          Files.write(file, bytes);
        });
  }

  @Test
  void unknownRecordVersionWithValidChecksumsIsQuarantined() throws Exception {
    recoverAfterDamaging(
        file -> {
          byte[] bytes = Files.readAllBytes(file);
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          int trailer = bytes.length - SpoolFileFormat.TRAILER_BYTES;
          int recordStart = (int) buffer.getLong(trailer + 8);
          int recordLength = buffer.getInt(trailer + 16);
          buffer.putShort(recordStart, (short) (EnvelopeRecordCodec.VERSION + 1));
          buffer.putInt(trailer + 24, SpoolFileFormat.crc(bytes, recordStart, recordLength));
          buffer.putInt(bytes.length - 4, SpoolFileFormat.crc(bytes, trailer, SpoolFileFormat.TRAILER_BYTES - 4));
          Files.write(file, bytes);
        });
  }

  @Test
  void messageFileUnderAnotherIdsNameIsQuarantined() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage message = commit(spool, BODY);
      filesForced(spool);
      Path renamed = root.resolve("queue").resolve("SOMEOTHERID.msg");
      Files.move(messageFile(message), renamed);

      assertThat(recoverAfterRestart(root)).isEmpty();
      assertThat(root.resolve("quarantine").resolve("SOMEOTHERID.msg")).exists();
    }
  }

  @Test
  void strayFilesInTheQueueAreQuarantinedWithoutOverwritingEarlierOnes() throws Exception {
    Files.createDirectories(root.resolve("queue"));
    Files.createDirectories(root.resolve("quarantine"));
    Files.write(root.resolve("quarantine").resolve("notes.txt"), text("from last week"));
    Files.write(root.resolve("queue").resolve("notes.txt"), text("stray"));

    assertThat(recoverAfterRestart(root)).isEmpty();

    assertThat(filesIn(root.resolve("queue"))).isEmpty();
    assertThat(Files.readAllBytes(root.resolve("quarantine").resolve("notes.txt")))
        .isEqualTo(text("from last week"));
    assertThat(Files.readAllBytes(root.resolve("quarantine").resolve("notes.txt.1")))
        .isEqualTo(text("stray"));
  }

  @Test
  void leftoversOfUnfinishedWritesAreRemoved() throws Exception {
    try (FileSpool spool = spool(root)) {
      SpoolTransaction unfinished = spool.begin();
      unfinished.body().write(BODY);
      unfinished.body().flush();
      Files.write(root.resolve("incoming").resolve("OLD-1.state"), text("half a state"));

      assertThat(recoverAfterRestart(root)).isEmpty();

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
      unfinished.close();
    }
  }

  @Test
  void damagedStateFileIsQuarantinedAndTheMessageFallsBackToItsInitialState() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued = commit(spool, BODY);
      spool.update(
          new QueuedMessage(
              queued.id(), queued.envelope(),
              queued.recipients().stream()
                  .map(r -> new RecipientState(r.recipient(), RecipientStatus.DELIVERED, 1, reply(250, null, "ok")))
                  .toList(),
              1, queued.nextAttemptAt(), queued.bodySize()));
      Path state = SpoolFixtures.stateFile(root, queued.id());
      truncate(state, size -> size - 3);

      assertThat(recoverAfterRestart(root)).containsExactly(queued);
      assertThat(root.resolve("quarantine").resolve(queued.id() + ".state")).exists();
    }
  }

  @Test
  void stateFileWithoutItsMessageIsDeleted() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued = commit(spool, BODY);
      spool.update(queued);
      filesForced(spool);
      Files.delete(messageFile(queued));

      assertThat(recoverAfterRestart(root)).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
    }
  }

  private static void truncate(Path file, LongUnaryOperator newSize) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(newSize.applyAsLong(channel.size()));
    }
  }
}
