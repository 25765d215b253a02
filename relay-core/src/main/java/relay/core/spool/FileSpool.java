package relay.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import relay.core.envelope.MessageId;

/**
 * A {@link Spool} on the local file system, one file per message so that accepting a message costs
 * one file fsync plus a share of a group-committed directory fsync.
 *
 * <p>Layout ({@link SpoolDirectories}): {@code incoming/} for files being written, {@code queue/} for
 * committed {@code <id>.msg} files (body, then the versioned envelope record, then a fixed trailer
 * with magic, layout version, lengths and CRC32C checksums: see {@link SpoolFileFormat}) and {@code
 * <id>.state} files (the latest delivery state, overriding the record inside the message file), and
 * {@code quarantine/} for files recovery could not trust. Why one file and not body + envelope
 * files: a message then appears in the queue by a single atomic rename, there is no pair to keep
 * consistent, and acceptance needs one file fsync instead of two.
 *
 * <p>Durability: {@code commit} returns only after the file is forced, renamed into {@code queue/}
 * and a sync of {@code queue/} that began after the rename has completed ({@link DirectorySync});
 * {@code update} writes a new state file the same way; {@code remove} takes the message file out of
 * the queue (kept as a {@linkplain SpareFiles spare} for a later message, or deleted) before the
 * state file, so a crash in between leaves an orphan state file that recovery deletes rather than
 * a message that would be re-sent from its initial state. {@code remove} does not force the
 * directory: a removal lost in a crash means the message is delivered again, never lost.
 *
 * <p>Call order: construct, {@link #recover()} once (it creates the directories, cleans up and
 * loads the index), then any mix of the other methods. Threading: all methods are thread-safe; the
 * index of queued messages is a concurrent map; disk I/O blocks the caller (use virtual threads).
 */
public final class FileSpool implements Spool {

  // Enough spares for the messages delivered while the next ones are written; at most 64 MiB kept.
  private static final int SPARES = 256;
  private static final long SPARE_MAX_BYTES = 256 * 1024;

  private final SpoolDirectories directories;
  private final long minFreeBytes;
  private final FreeSpace freeSpace;
  private final InstantSource clock;
  private final MessageIdSource ids;
  private final DirectorySync queueSync;
  private final SpoolFileFormat format = new SpoolFileFormat(new EnvelopeRecordCodec());
  private final Map<MessageId, Long> bodySizes = new ConcurrentHashMap<>();
  // Messages that may have a state file: most are delivered at the first attempt and never get one,
  // and removing a file that is not there still costs a failed lookup.
  private final Set<MessageId> mayHaveState = ConcurrentHashMap.newKeySet();
  private final AtomicLong stateWrites = new AtomicLong();
  private final SpareFiles spares;
  private volatile boolean recovered;
  private volatile boolean belowFloor;

  /**
   * A spool whose free space is read from the file store holding {@code root}.
   *
   * @param root the spool directory (created by {@link #recover()} if missing)
   * @param minFreeBytes {@link #begin()} refuses new messages while less than this is free
   * @param clock the time for queue ids and the first due time
   * @param random randomness for queue ids
   */
  public FileSpool(Path root, long minFreeBytes, InstantSource clock, RandomGenerator random) {
    this(root, minFreeBytes, FreeSpace.ofFileStore(root), clock, random);
  }

  /** As above, with the free space taken from {@code freeSpace}. */
  public FileSpool(
      Path root, long minFreeBytes, FreeSpace freeSpace, InstantSource clock, RandomGenerator random) {
    this(root, minFreeBytes, freeSpace, clock, random, DirectorySync.of(root.resolve("queue")));
  }

  FileSpool(
      Path root,
      long minFreeBytes,
      FreeSpace freeSpace,
      InstantSource clock,
      RandomGenerator random,
      DirectorySync queueSync) {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("negative free space floor");
    }
    this.directories = new SpoolDirectories(root);
    this.spares = new SpareFiles(directories.incoming(), SPARES, SPARE_MAX_BYTES);
    this.minFreeBytes = minFreeBytes;
    this.freeSpace = Objects.requireNonNull(freeSpace, "freeSpace");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = new MessageIdSource(clock, Objects.requireNonNull(random, "random"));
    this.queueSync = Objects.requireNonNull(queueSync, "queueSync");
  }

  @Override
  public SpoolTransaction begin() throws IOException {
    requireRecovered();
    long free = freeSpace.usableBytes();
    belowFloor = free < minFreeBytes;
    if (belowFloor) {
      throw new SpoolFullException(
          "spool free space " + free + " bytes is below the floor of " + minFreeBytes + " bytes");
    }
    MessageId id = ids.next();
    Path spare = spares.take();
    if (spare != null) {
      try {
        return new FileSpoolTransaction(this, id, spare, true, directories.messageFile(id));
      } catch (NoSuchFileException e) {
        // Deleted behind our back (an operator cleaning up): write a new file instead.
      }
    }
    return new FileSpoolTransaction(this, id, incomingFile(id), false, directories.messageFile(id));
  }

  @Override
  public boolean admitsNewMessage() {
    return !belowFloor;
  }

  @Override
  public List<QueuedMessage> recover() throws IOException {
    spares.clear(); // recovery deletes everything in incoming/
    List<QueuedMessage> messages = new SpoolRecovery(directories, format).run();
    bodySizes.clear();
    mayHaveState.clear();
    for (QueuedMessage message : messages) {
      bodySizes.put(message.id(), message.bodySize());
      mayHaveState.add(message.id());
    }
    belowFloor = freeSpace.usableBytes() < minFreeBytes;
    recovered = true;
    return messages;
  }

  @Override
  public MessageBody body(MessageId id) {
    Long size = bodySizes.get(id);
    if (size == null) {
      throw new IllegalArgumentException("message " + id + " is not queued");
    }
    return new SpooledBody(directories.messageFile(id), size);
  }

  @Override
  public void update(QueuedMessage message) throws IOException {
    requireRecovered();
    MessageId id = message.id();
    if (!bodySizes.containsKey(id)) {
      throw new NoSuchFileException(directories.messageFile(id).toString(), null, "not queued");
    }
    // A fresh temp name per write, so concurrent updates of one message cannot share a temp file.
    Path temp =
        directories.incoming().resolve(id.value() + "-" + stateWrites.incrementAndGet() + SpoolDirectories.STATE_SUFFIX);
    mayHaveState.add(id);
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer content = format.stateFile(message);
        while (content.hasRemaining()) {
          channel.write(content);
        }
        channel.force(true);
      }
      Files.move(temp, directories.stateFile(id), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    queueSync.sync();
  }

  @Override
  public void remove(MessageId id) throws IOException {
    requireRecovered();
    Long bodySize = bodySizes.remove(id);
    // No directory sync: if a crash forgets the removal, recovery finds the message again and it is
    // delivered a second time, which is acceptable; forcing the directory here would cost one more
    // journal commit per delivered message.
    if (bodySize == null) {
      Files.deleteIfExists(directories.messageFile(id));
    } else {
      spares.recycle(directories.messageFile(id), bodySize);
    }
    if (mayHaveState.remove(id)) {
      Files.deleteIfExists(directories.stateFile(id));
    }
  }

  @Override
  public int size() {
    return bodySizes.size();
  }

  SpoolFileFormat format() {
    return format;
  }

  DirectorySync queueSync() {
    return queueSync;
  }

  Instant now() {
    return clock.instant();
  }

  MessageId nextId() {
    return ids.next();
  }

  Path incomingFile(MessageId id) {
    return directories.incoming().resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
  }

  Path queuedFile(MessageId id) {
    return directories.messageFile(id);
  }

  void queued(QueuedMessage message) {
    bodySizes.put(message.id(), message.bodySize());
  }

  private void requireRecovered() {
    if (!recovered) {
      throw new IllegalStateException("call recover() before using the spool");
    }
  }
}
