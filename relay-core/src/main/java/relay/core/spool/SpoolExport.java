package relay.core.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.MessageId;

/**
 * Moves every message of a stopped relay's spool into a {@link QueueArchive}, so that another node
 * can deliver them ({@link SpoolImport}) and this one never does. See ADR 0009 for the crash windows.
 *
 * <p>Per message (in batches of {@value #BATCH}, each step forced for the whole batch before the
 * next begins), in this order: (1) its latest record is written as {@code exported/ID.state} and
 * forced; (2) its message file is renamed from the queue to {@code exported/ID.msg} and the
 * directory forced: from here on the source never delivers it, whatever happens next (recovery
 * does not look in {@code exported/}); (3) both files are copied into the archive, forced, renamed
 * into {@code messages/} and that directory forced; (4) they are deleted from {@code exported/}.
 * A run that stops anywhere is finished by running it again with the same archive: what is in
 * {@code exported/} goes first. The manifest is written last, so an archive is complete only when
 * every message is in it. The archive a run writes to is noted in {@code exported/archive}; a
 * later run to another archive is refused until that one is finished.
 *
 * <p>Holds the {@link SpoolLock} throughout, so it never runs beside a relay on the same spool.
 * Single use, one thread.
 */
public final class SpoolExport {

  /**
   * Messages per step: each step forces every file it writes, then its directories once for the
   * whole batch, instead of once per message (a directory force costs as much as a file's).
   */
  static final int BATCH = 256;

  private final SpoolDirectories directories;
  private final Path exported;
  private final InstantSource clock;
  private final SpoolFileFormat format = new SpoolFileFormat(new EnvelopeRecordCodec());
  private final ParkingIndex parked;
  private final ParkingIndex held;

  public SpoolExport(Path spoolRoot, InstantSource clock) {
    this.directories = new SpoolDirectories(spoolRoot.toAbsolutePath());
    this.exported = directories.root().resolve("exported");
    this.clock = clock;
    this.parked = new ParkingIndex(directories.parked());
    this.held = new ParkingIndex(directories.held());
  }

  /** Exports the whole queue into {@code archiveRoot} (new, or an unfinished export from this spool). */
  public ArchiveReport to(Path archiveRoot) throws IOException {
    QueueArchive archive = new QueueArchive(archiveRoot.toAbsolutePath());
    try (SpoolLock lock = SpoolLock.acquire(directories.root())) {
      new SpoolRecovery(directories, format).prepare();
      // Every message the journal holds becomes its own durable file, and the journal forgets it: a
      // message taken from the queue below must not come back from the journal at the next start.
      IntakeJournal journal = new IntakeJournal(directories, IntakeJournal.Limits.DEFAULT);
      try {
        journal.open();
        journal.retireAll();
      } finally {
        journal.close();
      }
      for (String name : ParkingIndex.names(directories.queue())) {
        if (!Files.isDirectory(directories.queue().resolve(name), LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException("the spool still has files of layout 1 in " + directories.queue()
              + ": start the relay once (it converts them), stop it, then export");
        }
      }
      Path note = exported.resolve("archive");
      if (archive.complete() && Files.exists(note)
          && Path.of(Files.readString(note, StandardCharsets.UTF_8).strip()).equals(archive.root())) {
        // Stopped after the manifest, before the note went: the export is done.
        List<QueueArchive.Entry> entries = archive.readManifest();
        Files.delete(note);
        QueueArchive.forceDirectory(exported);
        Map<String, Integer> byConnector = new HashMap<>();
        entries.forEach(e -> byConnector.merge(e.connector() == null ? "-" : e.connector(), 1, Integer::sum));
        return new ArchiveReport(entries.size(), (int) entries.stream().filter(QueueArchive.Entry::held).count(),
            byConnector, 0, 0, List.of());
      }
      prepare(archive);
      List<String> notes = new ArrayList<>();
      // Whatever an interrupted run marked but did not archive goes first.
      List<MessageId> left = new ArrayList<>();
      for (String name : ParkingIndex.names(exported)) {
        if (name.endsWith(SpoolDirectories.MESSAGE_SUFFIX)) {
          left.add(new MessageId(name.substring(0, name.length() - SpoolDirectories.MESSAGE_SUFFIX.length())));
        }
      }
      for (int i = 0; i < left.size(); i += BATCH) {
        archive(archive, left.subList(i, Math.min(left.size(), i + BATCH)));
      }
      for (String name : ParkingIndex.names(exported)) {
        if (name.endsWith(".tmp")) {
          Files.delete(exported.resolve(name)); // a state copy cut short in step 1
        } else if (name.endsWith(SpoolDirectories.STATE_SUFFIX)) {
          // Its message is still in the queue (stopped between steps 1 and 2) or archived (between
          // the two deletions of step 4): either way this copy is not needed.
          Files.delete(exported.resolve(name));
        }
      }
      List<Taken> batch = new ArrayList<>();
      for (String period : ParkingIndex.names(directories.queue())) {
        for (String slice : ParkingIndex.names(directories.queue().resolve(period))) {
          Path bucket = directories.queue().resolve(period).resolve(slice);
          for (String name : ParkingIndex.names(bucket)) {
            if (name.endsWith(SpoolDirectories.MESSAGE_SUFFIX)) {
              MessageId id = new MessageId(name.substring(0, name.length() - SpoolDirectories.MESSAGE_SUFFIX.length()));
              Optional<QueuedMessage> latest = latest(bucket, id, notes);
              if (latest.isPresent()) {
                batch.add(new Taken(bucket, latest.get()));
              }
              if (batch.size() == BATCH) {
                take(archive, batch);
                batch.clear();
              }
            }
          }
        }
      }
      take(archive, batch);
      ArchiveReport report = finish(archive, notes);
      Files.deleteIfExists(exported.resolve("archive"));
      QueueArchive.forceDirectory(exported);
      return report;
    }
  }

  /** Checks that {@code archive} is new or this spool's unfinished export, and notes it as the one under way. */
  private void prepare(QueueArchive archive) throws IOException {
    Files.createDirectories(exported);
    Path note = exported.resolve("archive");
    if (Files.exists(note)) {
      Path earlier = Path.of(Files.readString(note, StandardCharsets.UTF_8).strip());
      if (!earlier.equals(archive.root())) {
        throw new IOException("an export to " + earlier + " did not finish: run it again with --to " + earlier
            + " (its messages are no longer in this queue)");
      }
    }
    if (archive.complete()) {
      throw new IOException(archive.root() + " is a complete archive already: export into a new directory");
    }
    if (Files.exists(archive.root())) {
      boolean ours = Files.exists(archive.source())
          && Path.of(Files.readString(archive.source(), StandardCharsets.UTF_8).strip()).equals(directories.root());
      try (var entries = Files.list(archive.root())) {
        if (!ours && entries.findAny().isPresent()) {
          throw new IOException(archive.root() + " is not empty and not an unfinished export of " + directories.root());
        }
      }
    }
    Files.createDirectories(archive.messages());
    Files.createDirectories(archive.incoming());
    QueueArchive.writeDurably(archive.source(),
        java.nio.ByteBuffer.wrap((directories.root() + "\n").getBytes(StandardCharsets.UTF_8)));
    QueueArchive.forceDirectory(archive.root());
    QueueArchive.writeDurably(note, java.nio.ByteBuffer.wrap((archive.root() + "\n").getBytes(StandardCharsets.UTF_8)));
    QueueArchive.forceDirectory(exported);
  }

  /** A message on its way out of the queue: the bucket it is in and its latest record. */
  private record Taken(Path bucket, QueuedMessage latest) {}

  /**
   * The latest record of a queued message, verified (body included); empty, with a note, when it
   * does not verify: such a message stays for the relay's recovery to quarantine.
   */
  private Optional<QueuedMessage> latest(Path bucket, MessageId id, List<String> notes) throws IOException {
    Path message = bucket.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
    Path state = bucket.resolve(id.value() + SpoolDirectories.STATE_SUFFIX);
    try {
      QueuedMessage initial = format.readMessage(message, id);
      if (!Files.exists(state)) {
        return Optional.of(initial);
      }
      QueuedMessage latest = format.readState(state, id);
      if (!latest.envelope().equals(initial.envelope()) || latest.bodySize() != initial.bodySize()) {
        notes.add(id.value() + ": its state file does not match it; left for the relay's recovery");
        return Optional.empty();
      }
      return Optional.of(latest);
    } catch (CorruptRecordException e) {
      notes.add(id.value() + ": does not verify (" + e.getMessage() + "); left for the relay's recovery to quarantine");
      return Optional.empty();
    }
  }

  /**
   * Steps 1 and 2 for a batch (each step's files forced, then its directories once for the batch),
   * then steps 3 and 4: the messages leave the queue for {@code exported/} and go into the archive.
   */
  private void take(QueueArchive archive, List<Taken> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    for (Taken t : batch) {
      MessageId id = t.latest().id();
      Path temp = exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX + ".tmp");
      QueueArchive.writeDurably(temp, format.stateFile(t.latest()));
      Files.move(temp, exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    QueueArchive.forceDirectory(exported); // step 1: every state copy is on disk before its message moves
    Set<Path> buckets = new LinkedHashSet<>();
    for (Taken t : batch) {
      MessageId id = t.latest().id();
      Files.move(t.bucket().resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX),
          exported.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
      buckets.add(t.bucket());
    }
    QueueArchive.forceDirectory(exported); // step 2: from here the source never delivers them
    for (Path bucket : buckets) {
      QueueArchive.forceDirectory(bucket);
    }
    for (Taken t : batch) {
      Files.deleteIfExists(t.bucket().resolve(t.latest().id().value() + SpoolDirectories.STATE_SUFFIX)); // orphans now
      forgetMarkers(t.latest());
    }
    archive(archive, batch.stream().map(t -> t.latest().id()).toList());
  }

  /** Steps 3 and 4 for messages in {@code exported/}. */
  private void archive(QueueArchive archive, List<MessageId> ids) throws IOException {
    for (MessageId id : ids) {
      for (String suffix : List.of(SpoolDirectories.STATE_SUFFIX, SpoolDirectories.MESSAGE_SUFFIX)) {
        Path temp = archive.incoming().resolve(id.value() + suffix);
        QueueArchive.copyDurably(exported.resolve(id.value() + suffix), temp);
        Files.move(temp, archive.messages().resolve(id.value() + suffix), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    QueueArchive.forceDirectory(archive.messages()); // step 3
    for (MessageId id : ids) {
      // The message file goes first: a state file left alone in exported/ is dropped by the next run,
      // while a message file left alone would be archived without its state.
      Files.delete(exported.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX));
      Files.delete(exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX));
    }
  }

  /** Verifies every archived message and writes the manifest. */
  private ArchiveReport finish(QueueArchive archive, List<String> notes) throws IOException {
    List<QueueArchive.Entry> entries = new ArrayList<>();
    Map<String, Integer> byConnector = new HashMap<>();
    int heldMessages = 0;
    long bytes = 0;
    for (String name : ParkingIndex.names(archive.messages())) {
      if (!name.endsWith(SpoolDirectories.MESSAGE_SUFFIX)) {
        continue;
      }
      MessageId id = new MessageId(name.substring(0, name.length() - SpoolDirectories.MESSAGE_SUFFIX.length()));
      QueuedMessage latest = format.readState(archive.stateFile(id), id);
      format.readMessage(archive.messageFile(id), id);
      entries.add(new QueueArchive.Entry(id, latest.connector(), latest.isHeld(),
          QueueArchive.sha256(archive.messageFile(id)), QueueArchive.sha256(archive.stateFile(id))));
      byConnector.merge(latest.connector() == null ? "-" : latest.connector(), 1, Integer::sum);
      heldMessages += latest.isHeld() ? 1 : 0;
      bytes += Files.size(archive.messageFile(id));
    }
    archive.writeManifest(clock.instant(), directories.root(), entries);
    for (String name : ParkingIndex.names(archive.incoming())) {
      Files.delete(archive.incoming().resolve(name)); // copies an interrupted run left unfinished
    }
    return new ArchiveReport(entries.size(), heldMessages, byConnector, bytes, 0, notes);
  }

  private void forgetMarkers(QueuedMessage message) throws IOException {
    if (message.connector() == null) {
      return;
    }
    // Index markers are hints that the spool checks against the record; removing them keeps the
    // source's counts right. A marker moved by a shortened retry schedule may stay: harmless.
    parked.forget(message.connector(), message.id(), ParkingIndex.slotOf(message.nextAttemptAt()));
    String value = message.id().value();
    held.forget(message.connector(), message.id(),
        value.length() >= 7 ? value.substring(0, 7) : "_");
  }
}
