package relay.core.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;

/**
 * A {@link Spool} on the local file system, one file per message. Accepting a message costs a share
 * of one group-committed fsync of the {@link IntakeJournal}, which holds a copy of the new file until
 * it is delivered or forced itself; without the journal (or when it is full, or the message large),
 * one file fsync plus a share of a group-committed directory fsync.
 *
 * <p>Layout ({@link SpoolDirectories}): {@code incoming/} for files being written, {@code
 * queue/<period>/<slice>/} buckets (by the id's time prefix) for committed {@code <id>.msg} files
 * (body, then the versioned envelope record, then a fixed trailer with magic, layout version,
 * lengths and CRC32C checksums: see {@link SpoolFileFormat}) and {@code <id>.state} files (the latest
 * delivery state, overriding the record inside the message file), the {@link ParkingIndex} of
 * messages waiting on disk, and {@code quarantine/} for files recovery could not trust. Why one file
 * and not body + envelope files: a message then appears in the queue by a single atomic rename, there
 * is no pair to keep consistent, and acceptance needs one file fsync instead of two.
 *
 * <p>Memory: nothing here grows with the queue. The spool keeps no per-message index (beyond the
 * bounded memo of {@link StateFiles}); whatever it needs about a message (its body size) comes with
 * the {@link QueuedMessage} the caller holds, and messages that leave memory are {@linkplain #park
 * parked} in the on-disk index ({@link WaitingIndex}). The index's counts ({@link #parkedCount}, {@link #heldCount},
 * {@link #oldestWaiting}) are kept per connector and arrival period of about 33 seconds, not per
 * message (see {@link MarkerTally}).
 *
 * <p>Durability: {@code commit} returns only after the file is renamed into its bucket and either its
 * copy in the journal is forced, or the file was forced and a sync of that bucket that began after the
 * rename has completed ({@link GroupCommit}); {@code update} writes a new state file, forces it and
 * syncs its bucket the same way; {@code remove} takes the message file out of the
 * queue (kept as a {@linkplain SpareFiles spare} for a later message, or deleted) before the state
 * file, so a crash in between leaves an orphan state file that recovery deletes rather than a
 * message that would be re-sent from its initial state. {@code remove} does not force the
 * directory: a removal lost in a crash means the message is delivered again, never lost.
 *
 * <p>Call order: construct, {@link #open()} (quick: directories, unfinished writes), then new
 * messages may be committed while {@link #recover(Consumer)} walks the queue (it may run on another
 * thread); {@link #recover()} does both and returns what it found. Threading: all methods are
 * thread-safe; disk I/O blocks the caller (use virtual threads).
 */
public final class FileSpool implements Spool, Closeable {

  private static final Logger log = LoggerFactory.getLogger(FileSpool.class);
  // Enough spares for the messages delivered while the next ones are written; at most 64 MiB kept.
  private static final int SPARES = 256;
  private static final long SPARE_MAX_BYTES = 256 * 1024;
  /** How old the free-space figure {@link #begin()} decides on may be (see {@link FreeSpace}). */
  private static final Duration FREE_SPACE_MAX_AGE = Duration.ofMillis(50);

  private final SpoolDirectories directories;
  private final long minFreeBytes;
  private final FreeSpace freeSpace;
  private final InstantSource clock;
  private final MessageIdSource ids;
  private final QueueBuckets buckets;
  private final SpoolFileFormat format = new SpoolFileFormat(new EnvelopeRecordCodec());
  private final SpoolRecovery recovery;
  private final RecoveryFront front = new RecoveryFront();
  private final WaitingIndex waiting;
  private final AtomicLong size = new AtomicLong();
  private final SpareFiles spares;
  private final IntakeJournal journal;
  private final StateFiles states;
  private volatile MessageId firstNew;
  private volatile boolean belowFloor;

  /**
   * When the message with queue id {@code id} was queued, as the id itself tells (its first
   * characters are the epoch millisecond, {@link MessageIdSource}); empty for an id of another shape.
   * Tools use it to know where in the logs a message's story starts.
   */
  public static Optional<Instant> queuedAt(MessageId id) {
    return MessageIdSource.timeOf(id);
  }

  /**
   * A spool whose free space is read from the file store holding {@code root}, at most every 50 ms.
   *
   * @param root the spool directory (created by {@link #open()} if missing)
   * @param minFreeBytes {@link #begin()} refuses new messages while less than this is free
   * @param clock the time for queue ids and the first due time
   * @param random randomness for queue ids
   */
  public FileSpool(Path root, long minFreeBytes, InstantSource clock, RandomGenerator random) {
    this(root, minFreeBytes, FreeSpace.ofFileStore(root).askedAtMostEvery(FREE_SPACE_MAX_AGE, clock), clock, random);
  }

  /** As above, with the free space taken from {@code freeSpace}. */
  public FileSpool(
      Path root, long minFreeBytes, FreeSpace freeSpace, InstantSource clock, RandomGenerator random) {
    this(root, minFreeBytes, freeSpace, clock, random, GroupCommit::of,
        directories -> new IntakeJournal(directories, IntakeJournal.Limits.DEFAULT));
  }

  /**
   * As above, with the directory syncs from {@code syncOf} and the journal from {@code journal}
   * (null: no journal, every new file is forced itself).
   */
  FileSpool(
      Path root,
      long minFreeBytes,
      FreeSpace freeSpace,
      InstantSource clock,
      RandomGenerator random,
      Function<Path, GroupCommit> syncOf,
      Function<SpoolDirectories, IntakeJournal> journal) {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("negative free space floor");
    }
    this.directories = new SpoolDirectories(root);
    this.spares = new SpareFiles(directories.incoming(), SPARES, SPARE_MAX_BYTES);
    this.minFreeBytes = minFreeBytes;
    this.freeSpace = Objects.requireNonNull(freeSpace, "freeSpace");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = new MessageIdSource(clock, Objects.requireNonNull(random, "random"));
    this.buckets = new QueueBuckets(directories, Objects.requireNonNull(syncOf, "syncOf"));
    this.recovery = new SpoolRecovery(directories, format);
    this.waiting = new WaitingIndex(directories);
    this.states = new StateFiles(directories, format, buckets);
    this.journal = journal == null ? null : journal.apply(directories);
  }

  /**
   * Makes the spool ready for new messages: creates the directories and removes unfinished writes.
   * Quick whatever the queue holds; {@link #recover(Consumer)} does the slow part.
   */
  public void open() throws IOException {
    spares.clear(); // everything in incoming/ is deleted
    int unfinished = recovery.prepare();
    if (unfinished > 0) {
      log.info("spool: {} unfinished writes removed", unfinished);
    }
    if (journal != null) {
      int restored = journal.open();
      if (restored > 0) {
        log.info("spool: {} message file(s) written again from the journal", restored);
      }
    }
    // Before anything is delivered: an import cut short must be told from one that committed.
    int settled = new ImportLedger(directories.root()).settle(directories);
    if (settled > 0) {
      log.info("spool: {} interrupted import(s) settled", settled);
    }
    warnAboutUnfinishedExport();
    belowFloor = freeSpace.usableBytes() < minFreeBytes;
    size.set(0);
    recovery.newest().ifPresent(ids::after);
    firstNew = ids.next();
    front.open(firstNew);
  }

  private void warnAboutUnfinishedExport() throws IOException {
    Path note = directories.root().resolve("exported").resolve("archive");
    if (Files.exists(note)) {
      log.warn("spool: an export to {} did not finish; the messages it took are not delivered by this relay: "
          + "stop it and run 'relay queue export --to {}' again", Files.readString(note).strip(), Files.readString(note).strip());
    }
  }

  /**
   * Walks the queue (converting an older layout first), verifying each message written before
   * {@link #open()} and handing it to {@code found} as soon as it is verified: oldest first. Until
   * recovery has reached a message, it is the only route by which the message enters delivery and
   * the size ({@link RecoveryFront}).
   */
  public void recover(Consumer<QueuedMessage> found) throws IOException {
    requireOpen();
    // Counted once now, in the background, so that no metrics scrape ever lists the index.
    waiting.tallyAll();
    recovery.scan(firstNew, message -> {
      Path file = directories.messageFile(message.id());
      // Verified moments ago, but an operator may have removed it since (uncounted: it was ahead).
      boolean counted = front.reach(file, () -> {
        if (!Files.exists(file)) {
          return false;
        }
        size.incrementAndGet();
        // Handed over before the front moves past it: no other route may have it first.
        found.accept(message);
        return true;
      });
      if (!counted) {
        log.info("spool: message {} was removed while recovery verified it", message.id());
      }
    });
    front.finish();
  }

  @Override
  public List<QueuedMessage> recover() throws IOException {
    open();
    List<QueuedMessage> messages = new ArrayList<>();
    recover(messages::add);
    return messages;
  }

  /** How far recovery is: messages found and files quarantined so far, and whether it is done. */
  public RecoveryProgress recoveryProgress() {
    return new RecoveryProgress(recovery.found(), recovery.quarantined(), recovery.finished());
  }

  @Override
  public SpoolTransaction begin() throws IOException {
    requireOpen();
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
        return new FileSpoolTransaction(this, id, spare, true, buckets.messageFile(id));
      } catch (NoSuchFileException e) {
        // Deleted behind our back (an operator cleaning up): write a new file instead.
      }
    }
    return new FileSpoolTransaction(this, id, incomingFile(id), false, buckets.messageFile(id));
  }

  @Override
  public boolean admitsNewMessage() {
    return !belowFloor;
  }

  @Override
  public MessageBody body(QueuedMessage message) {
    return new SpooledBody(directories.messageFile(message.id()), message.bodySize());
  }

  @Override
  public Optional<QueuedMessage> read(MessageId id) throws IOException {
    if (!Files.exists(directories.messageFile(id))) {
      return Optional.empty(); // a state file without its message is an orphan, not a message
    }
    try {
      return Optional.of(format.readRecord(directories.stateFile(id), SpoolFileFormat.STATE_MAGIC, id));
    } catch (NoSuchFileException e) {
      // never updated: the record in the message file is the state
    }
    try {
      return Optional.of(format.readRecord(directories.messageFile(id), SpoolFileFormat.MESSAGE_MAGIC, id));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void forEachId(Predicate<MessageId> each) throws IOException {
    // Bucket names come from the ids' time prefix: name order is arrival order, level by level.
    for (Path period : ParkingIndex.names(directories.queue()).stream().map(directories.queue()::resolve).toList()) {
      for (String slice : ParkingIndex.names(period)) {
        for (String file : ParkingIndex.names(period.resolve(slice))) {
          if (file.endsWith(SpoolDirectories.MESSAGE_SUFFIX)
              && !each.test(new MessageId(file.substring(0, file.length() - SpoolDirectories.MESSAGE_SUFFIX.length())))) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void update(QueuedMessage message) throws IOException {
    requireOpen();
    MessageId id = message.id();
    if (!Files.exists(directories.messageFile(id))) {
      // Removed meanwhile (delivered through another path): a state file now would be an orphan.
      throw new NoSuchFileException(directories.messageFile(id).toString(), null, "not queued");
    }
    states.write(message);
    if (!message.isHeld() && message.connector() != null) {
      waiting.forgetHeld(message.connector(), id); // released: no longer listed as held
    }
  }

  @Override
  public void remove(QueuedMessage message) throws IOException {
    requireOpen();
    MessageId id = message.id();
    // No directory sync: if a crash forgets the removal, recovery finds the message again and it is
    // delivered a second time, which is acceptable; forcing the directory here would cost one more
    // journal commit per delivered message.
    Path file = directories.messageFile(id);
    if (journal != null) {
      journal.removed(id); // first: a restart must not write the file again once it is gone
    }
    if (front.removing(id, file, () -> spares.recycle(file, message.bodySize()))) {
      size.decrementAndGet(); // else never counted: recovery had not reached it, and now finds nothing
    }
    states.delete(id);
  }

  @Override
  public void park(QueuedMessage message) throws IOException {
    waiting.mark(message);
  }

  @Override
  public List<QueuedMessage> unpark(String connector, Instant now, int limit) throws IOException {
    List<QueuedMessage> due = new ArrayList<>();
    for (MessageId id : waiting.takeDue(connector, now, limit)) {
      if (front.ahead(id, directories.messageFile(id))) {
        // Parked in an earlier run: recovery hands it over (and counts it) when it gets there.
        continue;
      }
      // A marker is a hint: the record decides (the message may be gone or belong elsewhere now).
      read(id).filter(m -> ownedBy(m, connector) && m.hasPending())
          .ifPresent(m -> due.add(m.withConnector(connector)));
    }
    return due;
  }

  @Override
  public void bringForward(String connector, Instant latest) throws IOException {
    long moved = waiting.bringForward(connector, latest);
    if (moved > 0) {
      log.info("spool: {} parked message(s) of '{}' brought forward to {}", moved, connector, latest);
    }
  }

  @Override
  public Optional<Instant> nextParked(String connector) {
    return waiting.nextDue(connector);
  }

  @Override
  public List<QueuedMessage> held(String connector, int limit) throws IOException {
    List<QueuedMessage> found = new ArrayList<>();
    for (MessageId id : waiting.held(connector, limit)) {
      Optional<QueuedMessage> message = read(id).filter(m -> ownedBy(m, connector) && m.isHeld());
      if (message.isPresent()) {
        found.add(message.get().withConnector(connector));
      } else {
        waiting.forgetHeld(connector, id); // released, delivered or moved: the marker is stale
      }
    }
    return found;
  }

  @Override
  public List<String> parkedConnectors() throws IOException {
    return waiting.connectors();
  }

  @Override
  public long heldCount(String connector) throws IOException {
    return waiting.heldCount(connector);
  }

  @Override
  public long parkedCount(String connector) throws IOException {
    return waiting.parkedCount(connector);
  }

  @Override
  public Optional<Instant> oldestWaiting(String connector) throws IOException {
    return waiting.oldestArrival(connector);
  }

  @Override
  public Optional<Instant> acceptedAt(MessageId id) {
    return MessageIdSource.timeOf(id);
  }

  /** A record without a connector (written before routing was recorded) belongs to whoever parked it. */
  private static boolean ownedBy(QueuedMessage message, String connector) {
    return message.connector() == null || connector.equals(message.connector());
  }

  @Override
  public long size() {
    return size.get();
  }

  /**
   * Stops the journal's background work (a segment being retired is finished first) and closes its
   * files. Call after intake and delivery stopped; what is left is taken up at the next start.
   */
  @Override
  public void close() throws IOException {
    if (journal != null) {
      journal.close();
    }
  }

  /** The journal that makes new message files durable, or null when each file is forced itself. */
  IntakeJournal journal() {
    return journal;
  }

  SpoolFileFormat format() {
    return format;
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

  /** The queue's buckets: where new message files go, and the syncs that make renames durable. */
  QueueBuckets buckets() {
    return buckets;
  }

  void queued(List<QueuedMessage> messages) {
    size.addAndGet(messages.size());
    states.committed(messages);
  }

  private void requireOpen() {
    if (firstNew == null) {
      throw new IllegalStateException("call open() or recover() before using the spool");
    }
  }
}
