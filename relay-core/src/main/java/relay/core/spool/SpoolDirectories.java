package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.MessageId;

/**
 * The directory layout of a file spool (layout 3) and the names of the files in it.
 *
 * <ul>
 *   <li>{@code incoming/}: files being written; anything here after a crash is an unfinished write
 *       and is deleted by recovery. Also holds {@code spare-<n>} files: removed messages' files
 *       kept to be overwritten by new ones ({@link SpareFiles}). It lives on the same file system as
 *       {@code queue/} so that the final rename is atomic.
 *   <li>{@code queue/<period>/<slice>/}: {@code <id>.msg} (body, envelope record, trailer) and, once
 *       delivery state has changed, {@code <id>.state} (the latest record, which overrides the one in
 *       the message file). The two directory levels come from the id's time prefix (ids sort by
 *       creation time, see {@link MessageIdSource}): {@code period} is its first six characters (about
 *       17.5 minutes), {@code slice} the seventh (about 33 seconds). So no directory holds more than
 *       the messages accepted in 33 seconds, concurrent commits land in one directory (and share its
 *       directory sync), and listing the tree in name order lists messages oldest first. Ids of
 *       another shape (not written by this spool's id source) go to {@code queue/_/_/}.
 *   <li>{@code parked/} and {@code held/}: the {@link ParkingIndex} of messages that wait on disk.
 *   <li>{@code quarantine/}: files that recovery could not trust; kept for an operator, never
 *       delivered.
 *   <li>{@code layout}: the layout version; a spool without it is layout 1 (every message file
 *       directly in {@code queue/}), which recovery converts; a layout-2 spool is marked 3 at start.
 * </ul>
 *
 * @param root the spool root; the directories are its children
 */
record SpoolDirectories(Path root) {

  static final String MESSAGE_SUFFIX = ".msg";
  static final String STATE_SUFFIX = ".state";
  static final int LAYOUT = 3;
  private static final int PERIOD_CHARS = 6;
  private static final int ID_CHARS = 22;
  private static final String OTHER_SHAPE = "_";
  // Six of the id's ten time characters: the last four (20 bits of milliseconds) vary within a period.
  private static final Duration PERIOD = Duration.ofMillis(1L << 20);

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

  Path parked() {
    return root.resolve("parked");
  }

  Path held() {
    return root.resolve("held");
  }

  Path journal() {
    return root.resolve("journal");
  }

  Path layoutFile() {
    return root.resolve("layout");
  }

  /** The directory holding {@code id}'s files. */
  Path bucket(MessageId id) {
    return hashed(queue(), id);
  }

  /**
   * {@code base/<period>/<slice>/}: where under {@code base} files named after {@code id} go, spread
   * by the id's time prefix as the queue is (see above); {@code base/_/_/} for ids of another shape.
   * The import ledger shares it so that its markers are bounded per directory as the queue is.
   */
  static Path hashed(Path base, MessageId id) {
    String value = id.value();
    if (value.length() != ID_CHARS) {
      return base.resolve(OTHER_SHAPE).resolve(OTHER_SHAPE);
    }
    return base.resolve(value.substring(0, PERIOD_CHARS)).resolve(value.substring(PERIOD_CHARS, PERIOD_CHARS + 1));
  }

  /**
   * When the arrival period a {@link #hashed} directory named {@code name} stands for ends (every id
   * in it was made before), or empty for a name that is no period ({@code _} included).
   */
  static Optional<Instant> periodEnd(String name) {
    if (name.length() != PERIOD_CHARS) {
      return Optional.empty();
    }
    return MessageIdSource.periodStart(name).map(start -> start.plus(PERIOD));
  }

  Path messageFile(MessageId id) {
    return bucket(id).resolve(id.value() + MESSAGE_SUFFIX);
  }

  Path stateFile(MessageId id) {
    return bucket(id).resolve(id.value() + STATE_SUFFIX);
  }

  void create() throws IOException {
    Files.createDirectories(incoming());
    Files.createDirectories(queue());
    Files.createDirectories(quarantine());
    Files.createDirectories(parked());
    Files.createDirectories(held());
  }
}
