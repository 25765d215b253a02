package relay.core.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;

/**
 * The start-up work on a file spool, in two parts so that a relay can take mail before the second
 * is done.
 *
 * <p>{@link #prepare()} (quick, before any traffic): creates the directories, refuses a layout newer
 * than this code knows, and deletes everything in {@code incoming/} (unfinished writes, never
 * acknowledged, and spare files).
 *
 * <p>{@link #scan} (slow, may run in the background while new mail is accepted): first converts a
 * layout-1 spool by moving every file directly in {@code queue/} into its bucket, then walks the
 * buckets oldest first and, for each message older than the first id handed out by this run,
 * verifies {@code <id>.msg} (any file that fails goes to {@code quarantine/}, never delivered),
 * applies a valid {@code <id>.state} over the message's initial state, and hands the message to the
 * consumer as soon as it is verified. State files whose message is gone (a {@code remove} cut short)
 * are deleted; any other file is quarantined; empty buckets of the past are removed.
 *
 * <p>A damaged state file next to an intact message is quarantined and the message falls back to its
 * initial state: recipients may then be delivered twice, which beats losing them.
 *
 * <p>Threading: {@code prepare} then {@code scan}, each once, on one thread; the progress counters
 * may be read from any thread.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private final SpoolDirectories directories;
  private final SpoolFileFormat format;
  private final AtomicLong found = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();
  private volatile boolean finished;

  SpoolRecovery(SpoolDirectories directories, SpoolFileFormat format) {
    this.directories = directories;
    this.format = format;
  }

  /** Makes the spool ready to take new messages; returns the number of unfinished writes removed. */
  int prepare() throws IOException {
    directories.create();
    Path layout = directories.layoutFile();
    if (Files.exists(layout)) {
      String text = Files.readString(layout, StandardCharsets.US_ASCII).strip();
      int version;
      try {
        version = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IOException("spool layout file " + layout + " is unreadable: '" + text + "'");
      }
      if (version > SpoolDirectories.LAYOUT) {
        throw new IOException("spool " + directories.root() + " has layout " + version
            + ", newer than this Relay understands (" + SpoolDirectories.LAYOUT + "): use a newer Relay");
      }
      if (version == 2) {
        writeLayout(); // nothing to convert; the mark keeps an older Relay away from the journal
      }
    }
    int unfinished = 0;
    for (String name : ParkingIndex.names(directories.incoming())) {
      Files.deleteIfExists(directories.incoming().resolve(name));
      if (!name.startsWith(SpareFiles.PREFIX)) {
        unfinished++;
      }
    }
    GroupCommit.of(directories.incoming()).sync();
    return unfinished;
  }

  /** The greatest message id in the queue (both layouts), found by listing the newest bucket only. */
  Optional<MessageId> newest() throws IOException {
    Optional<MessageId> newest = Optional.empty();
    List<String> top = ParkingIndex.names(directories.queue());
    for (String name : top) { // layout-1 files, if any, sit directly in queue/
      newest = max(newest, idOf(name, SpoolDirectories.MESSAGE_SUFFIX).or(() -> idOf(name, SpoolDirectories.STATE_SUFFIX)));
    }
    for (int p = top.size() - 1; p >= 0; p--) {
      Path period = directories.queue().resolve(top.get(p));
      List<String> slices = Files.isDirectory(period, LinkOption.NOFOLLOW_LINKS) ? ParkingIndex.names(period) : List.of();
      for (int s = slices.size() - 1; s >= 0; s--) {
        List<String> names = ParkingIndex.names(period.resolve(slices.get(s)));
        for (String name : names) {
          newest = max(newest, idOf(name, SpoolDirectories.MESSAGE_SUFFIX).or(() -> idOf(name, SpoolDirectories.STATE_SUFFIX)));
        }
        if (!names.isEmpty() && !top.get(p).equals("_")) {
          return newest;
        }
      }
    }
    return newest;
  }

  private static Optional<MessageId> max(Optional<MessageId> a, Optional<MessageId> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isPresent() && b.get().value().compareTo(a.get().value()) > 0 ? b : a;
  }

  /**
   * Converts, verifies and hands over every queued message whose id sorts before {@code firstNew}
   * (messages committed by this run are not recovery's business).
   */
  void scan(MessageId firstNew, Consumer<QueuedMessage> consumer) throws IOException {
    convertLayoutOne();
    Path firstNewBucket = directories.bucket(firstNew);
    for (String period : ParkingIndex.names(directories.queue())) {
      Path periodDirectory = directories.queue().resolve(period);
      if (!Files.isDirectory(periodDirectory, LinkOption.NOFOLLOW_LINKS)) {
        continue; // a stray file the conversion could not place was quarantined there
      }
      for (String slice : ParkingIndex.names(periodDirectory)) {
        Path bucket = periodDirectory.resolve(slice);
        if (!Files.isDirectory(bucket, LinkOption.NOFOLLOW_LINKS)) {
          quarantine(bucket, "not a spool file");
          continue;
        }
        scanBucket(bucket, firstNew, consumer);
        if (bucket.compareTo(firstNewBucket) < 0) {
          deleteIfEmpty(bucket);
        }
      }
      if (!periodDirectory.equals(firstNewBucket.getParent())) {
        deleteIfEmpty(periodDirectory);
      }
    }
    GroupCommit.of(directories.quarantine()).sync();
    finished = true;
    log.info("spool recovery finished: {} messages queued, {} files quarantined", found.get(), quarantined.get());
  }

  /** Messages verified and handed over so far. */
  long found() {
    return found.get();
  }

  /** Files moved to quarantine so far. */
  long quarantined() {
    return quarantined.get();
  }

  /** True once {@link #scan} has walked the whole queue. */
  boolean finished() {
    return finished;
  }

  private void scanBucket(Path bucket, MessageId firstNew, Consumer<QueuedMessage> consumer) throws IOException {
    List<String> names = ParkingIndex.names(bucket);
    Set<String> messages = new HashSet<>();
    for (String name : names) {
      idOf(name, SpoolDirectories.MESSAGE_SUFFIX).ifPresent(id -> messages.add(id.value()));
    }
    for (String name : names) {
      Path file = bucket.resolve(name);
      Optional<MessageId> message = idOf(name, SpoolDirectories.MESSAGE_SUFFIX);
      Optional<MessageId> state = idOf(name, SpoolDirectories.STATE_SUFFIX);
      if (message.isPresent()) {
        if (!isNew(message.get(), firstNew)) {
          recoverMessage(file, message.get()).ifPresent(m -> {
            found.incrementAndGet();
            consumer.accept(m);
          });
        }
      } else if (state.isPresent()) {
        if (!messages.contains(state.get().value()) && !isNew(state.get(), firstNew)) {
          Files.deleteIfExists(file);
        }
      } else {
        quarantine(file, "not a spool file");
      }
    }
  }

  private Optional<QueuedMessage> recoverMessage(Path file, MessageId id) throws IOException {
    QueuedMessage initial;
    Path state = file.resolveSibling(id.value() + SpoolDirectories.STATE_SUFFIX);
    try {
      initial = format.readMessage(file, id);
    } catch (NoSuchFileException e) {
      return Optional.empty(); // removed meanwhile
    } catch (CorruptRecordException e) {
      quarantine(file, e.getMessage());
      if (Files.exists(state)) {
        quarantine(state, "its message file was quarantined");
      }
      return Optional.empty();
    }
    if (!Files.exists(state)) {
      return Optional.of(initial);
    }
    try {
      QueuedMessage latest = format.readState(state, id);
      if (!latest.envelope().equals(initial.envelope()) || latest.bodySize() != initial.bodySize()) {
        throw new CorruptRecordException("state file does not match its message");
      }
      return Optional.of(latest);
    } catch (NoSuchFileException e) {
      return Optional.of(initial);
    } catch (CorruptRecordException e) {
      quarantine(state, e.getMessage() + "; message falls back to its initial state");
      return Optional.of(initial);
    }
  }

  /** Layout 1 kept every file directly in {@code queue/}: each moves into its bucket. */
  private void convertLayoutOne() throws IOException {
    int moved = 0;
    Set<Path> buckets = new HashSet<>();
    for (String name : ParkingIndex.names(directories.queue())) {
      Path file = directories.queue().resolve(name);
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Optional<MessageId> id = idOf(name, SpoolDirectories.MESSAGE_SUFFIX)
          .or(() -> idOf(name, SpoolDirectories.STATE_SUFFIX));
      if (id.isEmpty()) {
        quarantine(file, "not a spool file");
        continue;
      }
      Path bucket = directories.bucket(id.get());
      if (buckets.add(bucket)) {
        Files.createDirectories(bucket);
      }
      Files.move(file, bucket.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      moved++;
    }
    for (Path bucket : buckets) {
      GroupCommit.of(bucket).sync();
      GroupCommit.of(bucket.getParent()).sync();
    }
    GroupCommit.of(directories.queue()).sync();
    if (moved > 0) {
      log.info("spool: converted to layout {}: {} files moved into {} buckets", SpoolDirectories.LAYOUT, moved,
          buckets.size());
    }
    if (!Files.exists(directories.layoutFile())) {
      writeLayout();
    }
  }

  private void writeLayout() throws IOException {
    Path temp = directories.incoming().resolve("layout.tmp");
    Files.writeString(temp, SpoolDirectories.LAYOUT + "\n", StandardCharsets.US_ASCII);
    try (var channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, directories.layoutFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    GroupCommit.of(directories.root()).sync();
  }

  private void quarantine(Path file, String reason) throws IOException {
    String name = file.getFileName().toString();
    Path target = directories.quarantine().resolve(name);
    // Keep what earlier runs quarantined: a rename would silently replace a file of the same name.
    for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
      target = directories.quarantine().resolve(name + "." + n);
    }
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    quarantined.incrementAndGet();
    log.warn("spool file {} quarantined as {}: {}", file, target, reason);
  }

  /** True for ids handed out by this run (they sort after every earlier one of the same shape). */
  private static boolean isNew(MessageId id, MessageId firstNew) {
    return RecoveryFront.isNew(id, firstNew);
  }

  private static void deleteIfEmpty(Path directory) throws IOException {
    try {
      Files.deleteIfExists(directory);
    } catch (DirectoryNotEmptyException e) {
      // still in use
    }
  }

  private static Optional<MessageId> idOf(String name, String suffix) {
    if (!name.endsWith(suffix)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new MessageId(name.substring(0, name.length() - suffix.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
