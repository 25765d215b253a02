package relay.core.spool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import relay.core.envelope.MessageId;

/**
 * Makes queued message files durable by themselves, as the {@link IntakeJournal} does before it lets
 * a segment go: each file forced (several at once: the file system commits concurrent forces
 * together), then one sync of each bucket they are in. A file removed meanwhile is skipped.
 *
 * <p>Threading: {@link #force} blocks its caller; the forces run on virtual threads of their own.
 */
final class MessageFileForces {

  private static final int AT_ONCE = 8;

  private final SpoolDirectories directories;

  MessageFileForces(SpoolDirectories directories) {
    this.directories = directories;
  }

  /** Forces the files of {@code messages} and syncs their buckets; returns once all are on disk. */
  void force(List<MessageId> messages) throws IOException {
    Set<Path> buckets = ConcurrentHashMap.newKeySet();
    try (ExecutorService forces = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int worker = 0; worker < AT_ONCE; worker++) {
        int first = worker;
        done.add(forces.submit(() -> {
          for (int i = first; i < messages.size(); i += AT_ONCE) {
            Path file = directories.messageFile(messages.get(i));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
              channel.force(true);
              buckets.add(file.getParent());
            } catch (NoSuchFileException e) {
              // removed meanwhile
            }
          }
          return null;
        }));
      }
      for (Future<?> each : done) {
        each.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while forcing message files");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("forcing message files failed", e.getCause());
    }
    for (Path bucket : buckets) {
      GroupCommit.of(bucket).sync();
    }
  }
}
