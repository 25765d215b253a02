package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import relay.core.envelope.MessageId;

/**
 * The queue's bucket directories ({@code queue/<period>/<slice>/}, see {@link SpoolDirectories}) as
 * new messages go into them: a bucket is created, durably, on first use, and the renames into a
 * bucket are made durable by a group-committed directory sync ({@link GroupCommit}).
 *
 * <p>Memory: a sync is kept per directory recently used; new mail goes to one bucket at a time, so a
 * few suffice, and dropping them only loses sharing of forces between callers, never a force.
 *
 * <p>Threading: thread-safe.
 */
final class QueueBuckets {

  private static final int SYNCS_KEPT = 64;

  private final SpoolDirectories directories;
  private final Function<Path, GroupCommit> syncOf;
  private final Map<Path, GroupCommit> syncs = new ConcurrentHashMap<>();
  private volatile Path current;

  /** @param syncOf the group-committing sync of a directory ({@link GroupCommit#of} but in tests) */
  QueueBuckets(SpoolDirectories directories, Function<Path, GroupCommit> syncOf) {
    this.directories = directories;
    this.syncOf = syncOf;
  }

  /** Where {@code id}'s message file goes; its bucket is created (durably) on first use. */
  Path messageFile(MessageId id) throws IOException {
    Path bucket = directories.bucket(id);
    if (!bucket.equals(current)) {
      if (!Files.isDirectory(bucket)) {
        Files.createDirectories(bucket);
        // The new directories' own entries must survive a crash before files are acknowledged in them.
        syncOf(bucket.getParent()).sync();
        syncOf(directories.queue()).sync();
      }
      current = bucket;
    }
    return bucket.resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
  }

  /** Forces the directories holding {@code files}, each once (a commit of split parts may span two). */
  void sync(Collection<Path> files) throws IOException {
    Set<Path> parents = new LinkedHashSet<>();
    files.forEach(f -> parents.add(f.getParent()));
    for (Path parent : parents) {
      syncOf(parent).sync();
    }
  }

  private GroupCommit syncOf(Path directory) {
    if (syncs.size() > SYNCS_KEPT) {
      syncs.clear();
    }
    return syncs.computeIfAbsent(directory, syncOf);
  }
}
