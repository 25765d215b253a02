package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import relay.core.envelope.MessageId;

/**
 * Which archived messages this spool has taken in, so that importing an archive again never queues
 * a message twice, even after the first copy was delivered and removed. {@code imports/done/ID}
 * says the message was imported; {@code imports/pending/ID} says an import of it began and may or
 * may not have reached its commit (the rename of its message file into the queue).
 *
 * <p>Invariant: a pending marker is settled before anything could deliver the message: {@link
 * #settle} runs when the spool opens (before recovery hands messages to delivery) and at the start
 * of each import. Settling looks at the queue: the message file is there, so the import committed
 * (pending becomes done); it is not, so the import never committed (the marker goes, and a later
 * import writes the message). Without this, a crash between the commit and the done marker, a
 * restart that delivers the message, and a second import would send it twice.
 *
 * <p>Markers are empty files, created and renamed with a directory force. Not thread-safe: used
 * under the spool lock by one import, or by {@link FileSpool#open()}.
 */
final class ImportLedger {

  private final Path pending;
  private final Path done;

  ImportLedger(Path spoolRoot) {
    Path root = spoolRoot.resolve("imports");
    this.pending = root.resolve("pending");
    this.done = root.resolve("done");
  }

  boolean isDone(MessageId id) {
    return Files.exists(done.resolve(id.value()));
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
    for (MessageId id : ids) {
      Files.move(pending.resolve(id.value()), done.resolve(id.value()), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    QueueArchive.forceDirectory(done);
    QueueArchive.forceDirectory(pending);
  }

  /** Marks {@code id} as imported without a pending step (it is in the queue already). */
  void record(MessageId id) throws IOException {
    Files.createDirectories(done);
    if (!Files.exists(done.resolve(id.value()))) {
      Files.createFile(done.resolve(id.value()));
      QueueArchive.forceDirectory(done);
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
        Files.createDirectories(done);
        Files.move(pending.resolve(name), done.resolve(name), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        QueueArchive.forceDirectory(done);
      } else {
        Files.delete(pending.resolve(name));
      }
      settled++;
    }
    QueueArchive.forceDirectory(pending);
    return settled;
  }
}
