package relay.core.spool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import relay.core.envelope.MessageId;

/**
 * Which archived messages this spool has taken in, so that importing an archive again never queues
 * a message twice, even after the first copy was delivered and removed. {@code
 * imports/done/<period>/<slice>/ID} says the message was imported (spread by the id's time prefix as
 * the queue is, {@link SpoolDirectories#hashed}, so no directory holds more than the messages that
 * arrived in about 33 seconds); {@code imports/pending/ID} says an import of it began and may or may
 * not have reached its commit (the rename of its message file into the queue). Pending markers are
 * one batch at most, so that directory stays flat.
 *
 * <p>Invariant: a pending marker is settled before anything could deliver the message: {@link
 * #settle} runs when the spool opens (before recovery hands messages to delivery) and at the start
 * of each import. Settling looks at the queue: the message file is there, so the import committed
 * (pending becomes done); it is not, so the import never committed (the marker goes, and a later
 * import writes the message). Without this, a crash between the commit and the done marker, a
 * restart that delivers the message, and a second import would send it twice.
 *
 * <p>Bounded: {@link #tidy} (at the start of each import) forgets whole arrival periods that ended
 * more than the {@linkplain #retention retention} ago, after moving the {@link LedgerHorizon} past them; a message made
 * before the horizon is never imported (ADR 0009), so forgetting cannot let one in twice. Markers of
 * ids without a time prefix (not made by a relay spool) sit in {@code done/_/_/} and are kept.
 * {@code tidy} also moves markers of the flat layout ({@code imports/done/ID}, written before the
 * ledger was spread) into their directories; until it has run, {@link #isDone} reads both.
 *
 * <p>Markers are empty files, created and renamed with a directory force; a new directory is forced
 * into its parent before a marker goes in. Not thread-safe: used under the spool lock by one import,
 * or by {@link FileSpool#open()}.
 */
final class ImportLedger {

  /**
   * The shortest time after its message arrived that a marker is kept: far beyond a usual {@code
   * max-lifetime} (4 days in the reference configuration, 2 by default), so that an archive is
   * remembered for weeks after its messages would have expired.
   */
  static final Duration MIN_RETENTION = Duration.ofDays(30);
  // Flat markers are converted a round at a time, so a million of them never sit in memory at once.
  private static final int CONVERT_ROUND = 4096;

  private final Path imports;
  private final Path pending;
  private final Path done;
  private final LedgerHorizon horizon;

  ImportLedger(Path spoolRoot) {
    this.imports = spoolRoot.resolve("imports");
    this.pending = imports.resolve("pending");
    this.done = imports.resolve("done");
    this.horizon = new LedgerHorizon(imports);
  }

  /**
   * How long markers are kept when the longest {@code max-lifetime} configured is {@code
   * longestLifetime}: the longer of {@link #MIN_RETENTION} and twice that, so a message is remembered
   * well past the time it may stay queued. A pure function; the horizon only moves forward, so
   * shortening the lifetime later forgets sooner (safe: older messages are then refused) and
   * lengthening it cannot bring back what was forgotten.
   */
  static Duration retention(Duration longestLifetime) {
    Duration twice = longestLifetime.multipliedBy(2);
    return twice.compareTo(MIN_RETENTION) > 0 ? twice : MIN_RETENTION;
  }

  /** Whether a marker names {@code id} (in its directory, or in the flat layout not yet converted). */
  boolean isDone(MessageId id) {
    return Files.exists(marker(id)) || Files.exists(done.resolve(id.value()));
  }

  /**
   * Whether {@code id} was made before {@code horizon}, so that its marker may have been forgotten:
   * such a message must not be imported. An id without a time prefix is never forgotten.
   */
  static boolean forgets(MessageId id, Instant horizon) {
    return MessageIdSource.timeOf(id).map(made -> made.isBefore(horizon)).orElse(false);
  }

  /** Notes that imports of {@code ids} begin (forced before any of their files is written). */
  void begin(List<MessageId> ids) throws IOException {
    Files.createDirectories(pending);
    Files.createDirectories(done);
    for (MessageId id : ids) {
      Files.deleteIfExists(pending.resolve(id.value()));
      Files.createFile(pending.resolve(id.value()));
    }
    QueueArchive.forceDirectory(pending);
  }

  /** Notes that {@code ids} are committed to the queue (their buckets forced already). */
  void finish(List<MessageId> ids) throws IOException {
    Set<Path> touched = new LinkedHashSet<>();
    for (MessageId id : ids) {
      touched.add(directoryOf(id));
      Files.move(pending.resolve(id.value()), marker(id), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    for (Path directory : touched) {
      QueueArchive.forceDirectory(directory);
    }
    QueueArchive.forceDirectory(pending);
  }

  /** Marks {@code id} as imported without a pending step (it is in the queue already). */
  void record(MessageId id) throws IOException {
    if (!isDone(id)) {
      Path directory = directoryOf(id);
      Files.createFile(marker(id));
      QueueArchive.forceDirectory(directory);
    }
  }

  /** Settles every pending marker against the queue (see the class comment); returns how many. */
  int settle(SpoolDirectories directories) throws IOException {
    if (!Files.isDirectory(pending)) {
      return 0;
    }
    int settled = 0;
    for (String name : ParkingIndex.names(pending)) {
      MessageId id;
      try {
        id = new MessageId(name);
      } catch (IllegalArgumentException e) {
        continue; // not ours
      }
      if (Files.exists(directories.messageFile(id))) {
        Path directory = directoryOf(id);
        Files.move(pending.resolve(name), marker(id), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        QueueArchive.forceDirectory(directory);
      } else {
        Files.delete(pending.resolve(name));
      }
      settled++;
    }
    QueueArchive.forceDirectory(pending);
    return settled;
  }

  /**
   * Keeps the ledger bounded at {@code now}: moves the horizon to {@code now - retention} (durably,
   * first), converts flat markers (dropping those before the horizon), then deletes every period
   * directory that ended before it. Returns the horizon in force: messages made before it are not
   * to be imported. Cheap when there is nothing to do: one listing of {@code done/}, whose entries
   * are periods of about 17.5 minutes within the retention.
   */
  Instant tidy(Instant now, Duration retention) throws IOException {
    Instant forgottenBefore = horizon.advance(now.minus(retention));
    if (!Files.isDirectory(done)) {
      return forgottenBefore;
    }
    convertFlat(forgottenBefore);
    for (String name : ParkingIndex.names(done)) {
      boolean past = SpoolDirectories.periodEnd(name).map(end -> !end.isAfter(forgottenBefore)).orElse(false);
      if (past) {
        deleteTree(done.resolve(name));
      }
    }
    return forgottenBefore;
  }

  /** Moves markers of the flat layout into their directories, a round at a time; returns how many. */
  private int convertFlat(Instant forgottenBefore) throws IOException {
    int converted = 0;
    while (true) {
      List<MessageId> round = flatRound();
      if (round.isEmpty()) {
        return converted;
      }
      Set<Path> touched = new LinkedHashSet<>();
      for (MessageId id : round) {
        Path flat = done.resolve(id.value());
        if (forgets(id, forgottenBefore)) {
          Files.delete(flat); // the horizon covers it already
        } else {
          touched.add(directoryOf(id));
          Files.move(flat, marker(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      // Forced before the flat entries' removal could reach the disk without them: the move is one
      // rename, and a crash leaves each marker in one place or the other, both of which isDone reads.
      for (Path directory : touched) {
        QueueArchive.forceDirectory(directory);
      }
      QueueArchive.forceDirectory(done);
      converted += round.size();
    }
  }

  /** Up to {@link #CONVERT_ROUND} flat markers (regular files directly in {@code done/}). */
  private List<MessageId> flatRound() throws IOException {
    List<MessageId> round = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(done, Files::isRegularFile)) {
      for (Path entry : entries) {
        try {
          round.add(new MessageId(entry.getFileName().toString()));
        } catch (IllegalArgumentException e) {
          continue; // not a marker; left alone
        }
        if (round.size() == CONVERT_ROUND) {
          break;
        }
      }
    }
    return round;
  }

  private Path marker(MessageId id) {
    return SpoolDirectories.hashed(done, id).resolve(id.value());
  }

  /** {@code id}'s marker directory, created (and forced into its parents) when new. */
  private Path directoryOf(MessageId id) throws IOException {
    Path directory = SpoolDirectories.hashed(done, id);
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory);
      QueueArchive.forceDirectory(directory.getParent());
      QueueArchive.forceDirectory(done);
      QueueArchive.forceDirectory(imports);
    }
    return directory;
  }

  /**
   * Deletes a period directory and everything in it, entry by entry (a period may hold many markers,
   * which are never all listed at once); a crash part-way leaves the rest for the next tidy.
   */
  private static void deleteTree(Path directory) throws IOException {
    if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
        for (Path entry : entries) {
          deleteTree(entry);
        }
      } catch (NoSuchFileException e) {
        return;
      }
    }
    Files.deleteIfExists(directory);
  }
}
