package relay.core.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import relay.core.envelope.MessageId;

/**
 * Moves every message of a stopped relay's spool into a {@link QueueArchive}, so that another node
 * can deliver them ({@link SpoolImport}) and this one never does. See ADR 0007 for the crash windows.
 *
 * <p>Per message, in this order: (1) its latest record is written as {@code exported/ID.state} and
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
      for (String name : ParkingIndex.names(directories.queue())) {
        if (!Files.isDirectory(directories.queue().resolve(name), LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException("the spool still has files of layout 1 in " + directories.queue()
              + ": start the relay once (it converts them), stop it, then export");
        }
      }
      prepare(archive);
      List<String> notes = new ArrayList<>();
      // Whatever an interrupted run marked but did not archive goes first.
      for (String name : ParkingIndex.names(exported)) {
        if (name.endsWith(SpoolDirectories.MESSAGE_SUFFIX)) {
          archive(archive, new MessageId(name.substring(0, name.length() - SpoolDirectories.MESSAGE_SUFFIX.length())));
        }
      }
      for (String name : ParkingIndex.names(exported)) {
        if (name.endsWith(SpoolDirectories.STATE_SUFFIX)) {
          // Its message is still in the queue (stopped between steps 1 and 2) or archived (between
          // the two deletions of step 4): either way this copy is not needed.
          Files.delete(exported.resolve(name));
        }
      }
      for (String period : ParkingIndex.names(directories.queue())) {
        for (String slice : ParkingIndex.names(directories.queue().resolve(period))) {
          Path bucket = directories.queue().resolve(period).resolve(slice);
          for (String name : ParkingIndex.names(bucket)) {
            if (name.endsWith(SpoolDirectories.MESSAGE_SUFFIX)) {
              MessageId id = new MessageId(name.substring(0, name.length() - SpoolDirectories.MESSAGE_SUFFIX.length()));
              Optional<String> refused = take(bucket, id);
              if (refused.isPresent()) {
                notes.add(id.value() + ": " + refused.get());
              } else {
                archive(archive, id);
              }
            }
          }
        }
      }
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

  /** Steps 1 and 2: the message leaves the queue for {@code exported/}; empty when it did, else why not. */
  private Optional<String> take(Path bucket, MessageId id) throws IOException {
    Path message = bucket.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
    Path state = bucket.resolve(id.value() + SpoolDirectories.STATE_SUFFIX);
    QueuedMessage latest;
    try {
      QueuedMessage initial = format.readMessage(message, id);
      latest = initial;
      if (Files.exists(state)) {
        try {
          latest = format.readState(state, id);
          if (!latest.envelope().equals(initial.envelope()) || latest.bodySize() != initial.bodySize()) {
            return Optional.of("its state file does not match it; left for the relay's recovery");
          }
        } catch (NoSuchFileException e) {
          latest = initial;
        }
      }
    } catch (CorruptRecordException e) {
      return Optional.of("does not verify (" + e.getMessage() + "); left for the relay's recovery to quarantine");
    }
    Path temp = exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX + ".tmp");
    QueueArchive.writeDurably(temp, format.stateFile(latest));
    Files.move(temp, exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Files.move(message, exported.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
    QueueArchive.forceDirectory(exported);
    QueueArchive.forceDirectory(bucket);
    Files.deleteIfExists(state); // an orphan now; recovery would delete it too
    forgetMarkers(latest);
    return Optional.empty();
  }

  /** Steps 3 and 4 for a message in {@code exported/}. */
  private void archive(QueueArchive archive, MessageId id) throws IOException {
    Path message = exported.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
    Path state = exported.resolve(id.value() + SpoolDirectories.STATE_SUFFIX);
    for (Path from : List.of(state, message)) {
      Path temp = archive.incoming().resolve(from.getFileName());
      QueueArchive.copyDurably(from, temp);
      Files.move(temp, archive.messages().resolve(from.getFileName()), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    QueueArchive.forceDirectory(archive.messages());
    // The message file goes first: a state file left alone in exported/ is dropped by the next run,
    // while a message file left alone would be archived without its state.
    Files.delete(message);
    Files.delete(state);
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
