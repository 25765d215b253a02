package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import relay.core.envelope.MessageId;

/**
 * Takes the messages of a complete {@link QueueArchive} into a stopped relay's spool, each under its
 * own queue id with its latest record (recipients already delivered, held recipients, attempts,
 * next attempt, connector, TLS requirement), to be delivered when the relay starts. See ADR 0009.
 *
 * <p>Nothing is written until every message of the archive verifies: the SHA-256 the manifest
 * lists, and the spool format's own checks (trailer, CRC32C of body and record, ids). Per message
 * (in batches, each step forced for the whole batch before the next begins):
 * the {@link ImportLedger} notes the import as pending (forced); the state file and then the
 * message file are copied into {@code incoming/}, forced, and renamed into the message's bucket,
 * the message file last (the commit), and the bucket forced; the ledger then notes it done.
 * Importing the same archive again skips what the ledger says is done, so no message is queued
 * twice, even one delivered and removed since; a message whose id is queued already with other
 * content is left alone and reported. The ledger remembers {@linkplain ImportLedger#retention a
 * retention} back from now: a message queued (at its source) before that is not imported at all but reported, because
 * the ledger can no longer tell whether it came in once before, and a relay attempts a message past
 * its lifetime once more before it expires it (so it would be sent again).
 *
 * <p>Holds the {@link SpoolLock} throughout. Single use, one thread.
 */
public final class SpoolImport {

  private final SpoolDirectories directories;
  private final SpoolFileFormat format = new SpoolFileFormat(new EnvelopeRecordCodec());
  private final ImportLedger ledger;

  private final InstantSource clock;
  private final Duration retention;

  /**
   * @param spoolRoot the stopped relay's spool
   * @param clock the time that decides what the ledger may forget
   * @param longestLifetime the longest {@code max-lifetime} of this node's configuration (global or
   *     any connector's): the ledger remembers imports for {@linkplain ImportLedger#retention twice
   *     that}, 30 days at least
   */
  public SpoolImport(Path spoolRoot, InstantSource clock, Duration longestLifetime) {
    this.directories = new SpoolDirectories(spoolRoot.toAbsolutePath());
    this.ledger = new ImportLedger(directories.root());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = ImportLedger.retention(Objects.requireNonNull(longestLifetime, "longestLifetime"));
  }

  /** Imports every message of the archive at {@code archiveRoot}. */
  public ArchiveReport from(Path archiveRoot) throws IOException {
    QueueArchive archive = new QueueArchive(archiveRoot.toAbsolutePath());
    List<QueueArchive.Entry> entries = archive.readManifest();
    try (SpoolLock lock = SpoolLock.acquire(directories.root())) {
      verify(archive, entries);
      new SpoolRecovery(directories, format).prepare();
      ledger.settle(directories);
      Instant horizon = ledger.tidy(clock.instant(), retention);
      List<String> notes = new ArrayList<>();
      Map<String, Integer> byConnector = new HashMap<>();
      int moved = 0;
      int held = 0;
      int already = 0;
      List<MessageId> tooOld = new ArrayList<>();
      long bytes = 0;
      List<QueueArchive.Entry> batch = new ArrayList<>();
      for (QueueArchive.Entry entry : entries) {
        MessageId id = entry.id();
        if (ledger.isDone(id)) {
          already++;
          continue;
        }
        if (Files.exists(directories.messageFile(id))) {
          if (QueueArchive.sha256(directories.messageFile(id)).equals(entry.messageSha())) {
            ledger.record(id); // the same message, queued here already (its ledger entry was lost)
            already++;
          } else {
            notes.add(id.value() + ": a different message with this id is queued here; not imported");
          }
          continue;
        }
        if (ImportLedger.forgets(id, horizon)) {
          tooOld.add(id); // imported here once, perhaps, and forgotten since: not again
          continue;
        }
        batch.add(entry);
        moved++;
        held += entry.held() ? 1 : 0;
        bytes += Files.size(archive.messageFile(id));
        byConnector.merge(entry.connector() == null ? "-" : entry.connector(), 1, Integer::sum);
        if (batch.size() == SpoolExport.BATCH) {
          place(archive, batch);
          batch.clear();
        }
      }
      place(archive, batch);
      if (!tooOld.isEmpty()) {
        notes.add(tooOld.size() + " message(s) queued before " + horizon + " not imported (" + tooOld.getFirst().value()
            + (tooOld.size() > 1 ? " ..." : "") + "): older than this spool remembers its imports ("
            + retention.toDays() + " days), so they may have been imported and delivered here already; "
            + "they are left in the archive");
      }
      return new ArchiveReport(moved, held, byConnector, bytes, already, notes);
    }
  }

  /** Every message verifies, or nothing is imported: an archive is taken whole. */
  private void verify(QueueArchive archive, List<QueueArchive.Entry> entries) throws IOException {
    List<String> bad = new ArrayList<>();
    for (QueueArchive.Entry entry : entries) {
      MessageId id = entry.id();
      try {
        if (!QueueArchive.sha256(archive.messageFile(id)).equals(entry.messageSha())
            || !QueueArchive.sha256(archive.stateFile(id)).equals(entry.stateSha())) {
          bad.add(id.value() + ": checksum differs from the manifest");
          continue;
        }
        QueuedMessage initial = format.readMessage(archive.messageFile(id), id);
        QueuedMessage latest = format.readState(archive.stateFile(id), id);
        if (!latest.envelope().equals(initial.envelope()) || latest.bodySize() != initial.bodySize()) {
          bad.add(id.value() + ": its state does not match its message");
        }
      } catch (IOException e) {
        bad.add(id.value() + ": " + e.getMessage());
      }
    }
    if (!bad.isEmpty()) {
      throw new CorruptRecordException("the archive " + archive.root() + " does not verify; nothing imported:\n  "
          + String.join("\n  ", bad.subList(0, Math.min(bad.size(), 20)))
          + (bad.size() > 20 ? "\n  ... and " + (bad.size() - 20) + " more" : ""));
    }
  }

  /** The message's bucket, created durably when new (its entry must survive a crash before files in it). */
  private Path bucket(MessageId id) throws IOException {
    Path bucket = directories.bucket(id);
    if (!Files.isDirectory(bucket)) {
      Files.createDirectories(bucket);
      QueueArchive.forceDirectory(bucket.getParent());
      QueueArchive.forceDirectory(directories.queue());
    }
    return bucket;
  }

  /**
   * Queues a batch: pending markers forced, then each message's state and message file (the commit)
   * copied, forced and renamed into its bucket, the buckets forced, then the done markers forced.
   */
  private void place(QueueArchive archive, List<QueueArchive.Entry> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    ledger.begin(batch.stream().map(QueueArchive.Entry::id).toList());
    Set<Path> buckets = new LinkedHashSet<>();
    for (QueueArchive.Entry entry : batch) {
      MessageId id = entry.id();
      Path bucket = bucket(id);
      buckets.add(bucket);
      copy(archive.stateFile(id), bucket.resolve(id.value() + SpoolDirectories.STATE_SUFFIX));
      copy(archive.messageFile(id), directories.messageFile(id)); // the commit: the message is queued
    }
    for (Path bucket : buckets) {
      QueueArchive.forceDirectory(bucket);
    }
    ledger.finish(batch.stream().map(QueueArchive.Entry::id).toList());
  }

  private void copy(Path from, Path to) throws IOException {
    Path temp = directories.incoming().resolve("import-" + to.getFileName());
    QueueArchive.copyDurably(from, temp);
    Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
