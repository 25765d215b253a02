package relay.core.spool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;

/**
 * The start-up scan of a file spool. In order: deletes everything in {@code incoming/} (unfinished
 * writes, never acknowledged, and spare files); verifies each {@code queue/<id>.msg} and moves any file that fails to
 * {@code quarantine/}; applies a valid {@code <id>.state} over the message's initial state; deletes
 * state files whose message is gone (a {@code remove} cut short); quarantines any other file in the
 * queue; finally forces the directories it changed.
 *
 * <p>A damaged state file next to an intact message is quarantined and the message falls back to its
 * initial state: recipients may then be delivered twice, which beats losing them.
 *
 * <p>Threading: runs once, on one thread, before the spool takes traffic.
 */
final class SpoolRecovery {

  private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

  private final SpoolDirectories directories;
  private final SpoolFileFormat format;

  SpoolRecovery(SpoolDirectories directories, SpoolFileFormat format) {
    this.directories = directories;
    this.format = format;
  }

  List<QueuedMessage> run() throws IOException {
    directories.create();
    int leftovers = clearIncoming();
    List<Path> files = list(directories.queue());
    Set<String> messageIds = new HashSet<>();
    List<QueuedMessage> recovered = new ArrayList<>();
    int quarantined = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      Optional<MessageId> id = idOf(name, SpoolDirectories.MESSAGE_SUFFIX);
      if (id.isPresent()) {
        messageIds.add(id.get().value());
        Optional<QueuedMessage> message = recoverMessage(file, id.get());
        if (message.isPresent()) {
          recovered.add(message.get());
        } else {
          quarantined++;
        }
      }
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      Optional<MessageId> stateId = idOf(name, SpoolDirectories.STATE_SUFFIX);
      if (stateId.isPresent()) {
        if (!messageIds.contains(stateId.get().value())) {
          Files.deleteIfExists(file);
        }
      } else if (idOf(name, SpoolDirectories.MESSAGE_SUFFIX).isEmpty()) {
        quarantine(file, "not a spool file");
        quarantined++;
      }
    }
    DirectorySync.of(directories.queue()).sync();
    DirectorySync.of(directories.quarantine()).sync();
    DirectorySync.of(directories.incoming()).sync();
    log.info(
        "spool recovery: {} messages queued, {} files quarantined, {} unfinished writes removed",
        recovered.size(), quarantined, leftovers);
    recovered.sort(Comparator.comparing(m -> m.id().value()));
    return recovered;
  }

  private Optional<QueuedMessage> recoverMessage(Path file, MessageId id) throws IOException {
    QueuedMessage initial;
    try {
      initial = format.readMessage(file, id);
    } catch (CorruptRecordException e) {
      quarantine(file, e.getMessage());
      Path state = directories.stateFile(id);
      if (Files.exists(state)) {
        quarantine(state, "its message file was quarantined");
      }
      return Optional.empty();
    }
    Path state = directories.stateFile(id);
    if (!Files.exists(state)) {
      return Optional.of(initial);
    }
    try {
      QueuedMessage latest = format.readState(state, id);
      if (!latest.envelope().equals(initial.envelope()) || latest.bodySize() != initial.bodySize()) {
        throw new CorruptRecordException("state file does not match its message");
      }
      return Optional.of(latest);
    } catch (CorruptRecordException e) {
      quarantine(state, e.getMessage() + "; message falls back to its initial state");
      return Optional.of(initial);
    }
  }

  private int clearIncoming() throws IOException {
    int unfinished = 0;
    for (Path file : list(directories.incoming())) {
      Files.deleteIfExists(file);
      if (!file.getFileName().toString().startsWith(SpareFiles.PREFIX)) {
        unfinished++;
      }
    }
    return unfinished;
  }

  private void quarantine(Path file, String reason) throws IOException {
    String name = file.getFileName().toString();
    Path target = directories.quarantine().resolve(name);
    // Keep what earlier runs quarantined: a rename would silently replace a file of the same name.
    for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
      target = directories.quarantine().resolve(name + "." + n);
    }
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    log.warn("spool file {} quarantined as {}: {}", file, target, reason);
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

  private static List<Path> list(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      stream.forEach(files::add);
    }
    files.sort(Comparator.naturalOrder());
    return files;
  }
}
