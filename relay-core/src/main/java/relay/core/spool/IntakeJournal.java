package relay.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;

/**
 * A write-ahead journal that makes newly accepted message files durable in groups: a commit appends
 * a copy of its message file here and waits for one shared {@code fdatasync} of the journal, instead
 * of forcing its own file and its bucket directory. Most messages are delivered and removed within
 * moments, so their files never need forcing at all.
 *
 * <p>Layout: {@code journal/<number>.jnl} segments, each a header then records appended in order:
 * a message record (its id and the exact bytes of its {@code <id>.msg} file) or a removal record (an
 * id). Each record carries its lengths and a CRC32C; reading a segment stops at the first record that
 * does not verify (the torn end of the last append).
 *
 * <p>Invariant: a message whose record is in a segment that still exists is durable through the
 * journal, whatever state its file is in. A segment is filled, then sealed (forced once more) and
 * <em>retired</em> in the background: the file of every message of it that is still queued is forced,
 * with its directory, and only then is the segment deleted (and the deletion forced, so it cannot
 * come back and resurrect messages delivered since; the newest retired file is kept as {@code
 * journal/spare}, to be written over by the next segment). At start ({@link #open}), every message record
 * of the remaining segments without a removal record is checked against its file, and a file that is
 * missing or differs (written but lost in a power failure) is written again from the record.
 *
 * <p>Bounds ({@link Limits}): segments of a bounded size and number of messages, a bounded number
 * of segments, and only message files up to {@value #RECORD_MAX} bytes: when the journal cannot take
 * a message ({@link #append} returns null) the caller makes its file durable itself. The ids of the
 * segments' messages are the memory it holds.
 *
 * <p>Threading: appends and removals serialise on one lock (a write into the page cache each); the
 * force is group-committed per segment ({@link GroupCommit}); one virtual thread retires segments.
 */
final class IntakeJournal {

  static final int RECORD_MAX = 256 << 10;
  private static final String SUFFIX = ".jnl";
  private static final Logger log = LoggerFactory.getLogger(IntakeJournal.class);

  /**
   * How much the journal holds: a segment is sealed at {@code segmentBytes} of records or {@code
   * segmentRecords} messages, and at most {@code segments} exist (the current one included).
   */
  record Limits(long segmentBytes, int segmentRecords, int segments) {
    /** 32 MiB and 8,192 messages a segment, 4 segments: at most 128 MiB on disk, 32,768 ids (about 4 MiB) in memory. */
    static final Limits DEFAULT = new Limits(32L << 20, 8_192, 4);

    Limits {
      if (segmentBytes < RECORD_MAX || segmentRecords < 1 || segments < 2) {
        throw new IllegalArgumentException("journal limits too small: " + segmentBytes + ", " + segmentRecords + ", " + segments);
      }
    }
  }

  private final SpoolDirectories directories;
  private final Limits limits;
  private final Executor retirements;
  private final Path directory;
  private final GroupCommit directorySync;
  private final MessageFileForces fileForces;
  private final ConcurrentHashMap<MessageId, JournalSegment> live = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  /** Held while retiring, so that the background thread and {@link #retireAll} never retire together. */
  private final ReentrantLock retirement = new ReentrantLock();
  /** Sealed segments waiting to be retired, oldest first. Guarded by {@link #lock}. */
  private final ArrayDeque<JournalSegment> sealed = new ArrayDeque<>();
  /** The segment appended to. Guarded by {@link #lock}. */
  private JournalSegment current;
  /** Whether a retiring thread runs. Guarded by {@link #lock}. */
  private boolean retiring;
  /** Set by {@link #close}: nothing more is retired or appended. Guarded by {@link #lock}. */
  private boolean closed;

  /** A journal whose sealed segments are retired on a virtual thread of their own. */
  IntakeJournal(SpoolDirectories directories, Limits limits) {
    this(directories, limits, task -> Thread.ofVirtual().name("spool-journal-retire").start(task));
  }

  /** As above, with retirement run by {@code retirements} (tests hold it back). */
  IntakeJournal(SpoolDirectories directories, Limits limits, Executor retirements) {
    this.directories = directories;
    this.fileForces = new MessageFileForces(directories);
    this.limits = limits;
    this.retirements = retirements;
    this.directory = directories.journal();
    this.directorySync = GroupCommit.of(directory);
  }

  /**
   * Brings every message the journal holds back into the queue (see the class comment), hands the
   * old segments to the background retirement and starts a new one. Call once, after {@code
   * incoming/} was emptied and before any append. Opening again does nothing: what this journal
   * holds in memory already is what its files say.
   *
   * @return the number of message files written again from the journal
   */
  int open() throws IOException {
    lock.lock();
    try {
      if (current != null) {
        return 0;
      }
    } finally {
      lock.unlock();
    }
    Files.createDirectories(directory);
    List<JournalSegment> old = new ArrayList<>();
    // In journal order, so that a removal cancels only the record before it.
    Map<MessageId, JournalSegment.Located> queued = new LinkedHashMap<>();
    for (String name : ParkingIndex.names(directory)) {
      if (name.endsWith(SUFFIX)) {
        JournalSegment segment = JournalSegment.reopen(directory.resolve(name), number(name));
        old.add(segment);
        segment.read(queued);
      }
    }
    int restored = 0;
    for (JournalSegment.Located message : queued.values()) {
      restored += restore(message) ? 1 : 0;
      message.segment().ids.add(message.id());
      live.put(message.id(), message.segment());
    }
    lock.lock();
    try {
      sealed.addAll(old);
      current = create(old.isEmpty() ? 1 : old.getLast().number + 1);
      retireInBackground();
    } finally {
      lock.unlock();
    }
    return restored;
  }

  /**
   * Appends {@code content}, the whole file of message {@code id} (already in the queue), and returns
   * the segment to {@linkplain #awaitDurable await}; null when the journal cannot take it (too large,
   * or every segment is full and not yet retired), in which case nothing was written.
   */
  JournalSegment append(MessageId id, ByteBuffer content) throws IOException {
    if (content.remaining() > RECORD_MAX) {
      return null;
    }
    lock.lock();
    try {
      JournalSegment segment = current;
      if (segment.bytes() + content.remaining() > limits.segmentBytes() || segment.ids.size() >= limits.segmentRecords()) {
        if (sealed.size() >= limits.segments() - 1) {
          return null;
        }
        segment = rotate();
      }
      segment.write(JournalSegment.MESSAGE, id, content);
      segment.ids.add(id);
      live.put(id, segment);
      return segment;
    } finally {
      lock.unlock();
    }
  }

  /** Returns once everything appended to {@code segment} before this call is on disk. */
  void awaitDurable(JournalSegment segment) throws IOException {
    try {
      segment.forces.sync();
    } catch (IOException e) {
      if (!segment.isSealed()) {
        throw e;
      }
      // Sealed meanwhile, which forced it after our append (and may have closed it under us).
    }
  }

  /**
   * Notes that message {@code id} left the queue, so that a restart does not bring it back. Not
   * forced: it rides on the next append's force, and a removal lost in a crash only means the message
   * is delivered again. A failure is logged, not thrown, for the same reason.
   */
  void removed(MessageId id) {
    if (live.remove(id) == null) {
      return; // not journaled, or its segment is retired: its file alone says whether it is queued
    }
    lock.lock();
    try {
      // Into the current segment whatever its size: removals are bounded by the messages journaled.
      current.write(JournalSegment.REMOVAL, id, ByteBuffer.allocate(0));
    } catch (IOException e) {
      log.warn("spool journal: could not note the removal of {}; a restart may deliver it again", id, e);
    } finally {
      lock.unlock();
    }
  }

  /** Segments that exist now, sealed and current (for tests). */
  int segments() {
    lock.lock();
    try {
      return sealed.size() + (current == null ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  /** Seals the current segment and retires every segment now, on the caller's thread. */
  void retireAll() throws IOException {
    lock.lock();
    try {
      rotate();
    } finally {
      lock.unlock();
    }
    retireSealed();
  }

  // Called with the lock held.
  private JournalSegment rotate() throws IOException {
    JournalSegment old = current;
    old.seal();
    sealed.addLast(old);
    current = create(old.number + 1);
    retireInBackground();
    return current;
  }

  // Called with the lock held. The new segment's name must survive a crash before any record in it
  // is acknowledged.
  private JournalSegment create(long number) throws IOException {
    JournalSegment segment = JournalSegment.create(directory.resolve(String.format("%016d%s", number, SUFFIX)), number, spare());
    directorySync.sync();
    return segment;
  }

  /**
   * Stops the background retirement (a segment being retired is finished first; the others stay for
   * the next start) and closes the segments. Appends after this fail.
   */
  void close() throws IOException {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    retirement.lock();
    lock.lock();
    try {
      for (JournalSegment segment : sealed) {
        segment.channel.close();
      }
      if (current != null) {
        current.channel.close();
      }
    } finally {
      lock.unlock();
      retirement.unlock();
    }
  }

  // Called with the lock held.
  private void retireInBackground() {
    if (!retiring && !closed && !sealed.isEmpty()) {
      retiring = true;
      retirements.execute(this::retireUntilDone);
    }
  }

  private void retireUntilDone() {
    while (true) {
      try {
        retireSealed();
        return;
      } catch (IOException | RuntimeException e) {
        // The segments stay (their messages stay durable); appends fall back once all are full.
        log.warn("spool journal: retiring a segment failed, trying again in 5 s", e);
        try {
          TimeUnit.SECONDS.sleep(5);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /** Retires sealed segments oldest first until none is left. */
  private void retireSealed() throws IOException {
    retirement.lock();
    try {
      retireOldestFirst();
    } finally {
      retirement.unlock();
    }
  }

  private void retireOldestFirst() throws IOException {
    while (true) {
      JournalSegment oldest;
      lock.lock();
      try {
        oldest = closed ? null : sealed.peekFirst();
        if (oldest == null) {
          retiring = false;
          return;
        }
      } finally {
        lock.unlock();
      }
      retire(oldest);
      lock.lock();
      try {
        sealed.remove(oldest);
      } finally {
        lock.unlock();
      }
    }
  }

  private void retire(JournalSegment segment) throws IOException {
    List<MessageId> queued = segment.ids.stream().filter(id -> live.get(id) == segment).toList();
    fileForces.force(queued);
    // Only now may the messages stop depending on the segment.
    segment.ids.forEach(id -> live.remove(id, segment));
    segment.channel.close();
    // Kept as the next segment's file: its blocks are allocated, so forcing records written over it
    // moves no file metadata. Its old records cannot pass for new ones (see JournalSegment#write).
    if (Files.exists(spare())) {
      Files.deleteIfExists(segment.file);
    } else {
      Files.move(segment.file, spare(), StandardCopyOption.ATOMIC_MOVE);
    }
    directorySync.sync();
  }

  /** Where a retired segment waits to be written over; not a segment (no suffix), never read. */
  private Path spare() {
    return directory.resolve("spare");
  }

  /** Writes {@code message}'s file again unless it holds exactly the journaled bytes. */
  private boolean restore(JournalSegment.Located message) throws IOException {
    ByteBuffer content = message.segment().readContent(message);
    Path file = directories.messageFile(message.id());
    if (Files.exists(file) && Files.size(file) == content.remaining()
        && ByteBuffer.wrap(Files.readAllBytes(file)).equals(content)) {
      return false;
    }
    if (!Files.isDirectory(file.getParent())) {
      Files.createDirectories(file.getParent());
      GroupCommit.of(file.getParent().getParent()).sync();
      GroupCommit.of(directories.queue()).sync();
    }
    Path temp = directories.incoming().resolve(message.id().value() + ".restored");
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      JournalSegment.writeFully(out, content, 0);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    log.info("spool journal: message {} written again from the journal", message.id());
    return true;
  }

  private static long number(String name) throws IOException {
    try {
      return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      throw new IOException("spool journal: unexpected file " + name);
    }
  }
}
