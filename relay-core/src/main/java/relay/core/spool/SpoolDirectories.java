package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import relay.core.envelope.MessageId;

/**
 * The directory layout of a file spool and the names of the files in it.
 *
 * <ul>
 *   <li>{@code incoming/}: files being written; anything here after a crash is an unfinished write
 *       and is deleted by recovery. Also holds {@code spare-<n>} files: removed messages' files
 *       kept to be overwritten by new ones ({@link SpareFiles}). It lives on the same file system as {@code queue/} so that the
 *       final rename is atomic.
 *   <li>{@code queue/}: {@code <id>.msg} (body, envelope record, trailer) and, once delivery state
 *       has changed, {@code <id>.state} (the latest record, which overrides the one in the message
 *       file).
 *   <li>{@code quarantine/}: files that recovery could not trust; kept for an operator, never
 *       delivered.
 * </ul>
 *
 * @param root the spool root; the three directories are its children
 */
record SpoolDirectories(Path root) {

  static final String MESSAGE_SUFFIX = ".msg";
  static final String STATE_SUFFIX = ".state";

  SpoolDirectories {
    Objects.requireNonNull(root, "root");
  }

  Path incoming() {
    return root.resolve("incoming");
  }

  Path queue() {
    return root.resolve("queue");
  }

  Path quarantine() {
    return root.resolve("quarantine");
  }

  Path messageFile(MessageId id) {
    return queue().resolve(id.value() + MESSAGE_SUFFIX);
  }

  Path stateFile(MessageId id) {
    return queue().resolve(id.value() + STATE_SUFFIX);
  }

  void create() throws IOException {
    Files.createDirectories(incoming());
    Files.createDirectories(queue());
    Files.createDirectories(quarantine());
  }
}
