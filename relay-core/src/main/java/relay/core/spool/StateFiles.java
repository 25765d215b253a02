package relay.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import relay.core.envelope.MessageId;

/**
 * The {@code <id>.state} files of a {@link FileSpool}: a queued message's latest delivery state,
 * beside its message file and overriding the record inside it. A write is durable when it returns:
 * a temp file in {@code incoming/}, forced, renamed over the previous state, and a group-committed
 * sync of the bucket that began after the rename.
 *
 * <p>Also remembers, for at most {@value #UNWRITTEN_MAX} messages committed by this process, that
 * none was ever written, so that removing such a message does not look for one: that lookup of a
 * name that is not there cost 2.6 % of the relay's CPU under load. A message not remembered is
 * looked for as before, so the bound costs only speed.
 *
 * <p>Threading: thread-safe; disk I/O blocks the caller.
 */
final class StateFiles {

  private static final int UNWRITTEN_MAX = 4096; // a few hundred KiB of ids

  private final SpoolDirectories directories;
  private final SpoolFileFormat format;
  private final QueueBuckets buckets;
  private final AtomicLong writes = new AtomicLong();
  private final Set<MessageId> unwritten = ConcurrentHashMap.newKeySet();

  StateFiles(SpoolDirectories directories, SpoolFileFormat format, QueueBuckets buckets) {
    this.directories = directories;
    this.format = format;
    this.buckets = buckets;
  }

  /** Notes that {@code messages} were just committed: none has a state file yet. */
  void committed(List<QueuedMessage> messages) {
    for (QueuedMessage message : messages) {
      if (unwritten.size() < UNWRITTEN_MAX) {
        unwritten.add(message.id());
      }
    }
  }

  /** Writes {@code message}'s state durably (see the class comment). */
  void write(QueuedMessage message) throws IOException {
    MessageId id = message.id();
    unwritten.remove(id); // first: from now on a removal must look for the file
    // A fresh temp name per write, so concurrent updates of one message cannot share a temp file.
    Path temp = directories.incoming().resolve(id.value() + "-" + writes.incrementAndGet() + SpoolDirectories.STATE_SUFFIX);
    Path target = directories.stateFile(id);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer content = format.stateFile(message);
        while (content.hasRemaining()) {
          channel.write(content);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    buckets.sync(List.of(target));
  }

  /** Deletes message {@code id}'s state file, unless it is known never to have had one. */
  void delete(MessageId id) throws IOException {
    if (!unwritten.remove(id)) {
      Files.deleteIfExists(directories.stateFile(id));
    }
  }
}
