package relay.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How far back the {@link ImportLedger} remembers: the instant before which it may have forgotten
 * imports, kept in {@code imports/forgotten-before} (one ISO-8601 instant). A message made before it
 * could have been imported here once and its marker pruned since, so it is never imported again
 * (see the ledger for why that matters).
 *
 * <p>Invariant: the file is written, forced and renamed into place <em>before</em> any marker older
 * than it is deleted, and it only ever moves forward. So a crash between the two leaves markers the
 * horizon already disowns (harmless), never a pruned marker the horizon does not cover; and a clock
 * set back after a pruning cannot reopen a window of forgotten messages.
 *
 * <p>A damaged file is an error, not a guess: guessing too early would let a forgotten message in
 * twice. Not thread-safe: used under the spool lock by one import.
 */
final class LedgerHorizon {

  private final Path file;

  /** @param imports the ledger's directory, {@code <spool>/imports} */
  LedgerHorizon(Path imports) {
    this.file = imports.resolve("forgotten-before");
  }

  /** The horizon, or empty while nothing was ever forgotten. */
  Optional<Instant> read() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      throw new CorruptRecordException(file + " is damaged ('" + text + "'): it says from when this spool's import "
          + "ledger may have forgotten imports; write the newest plausible instant into it (or today's, to be safe)");
    }
  }

  /**
   * Moves the horizon forward to {@code to} (no-op when it is there already or beyond) and returns
   * the horizon now in force, durable on return.
   */
  Instant advance(Instant to) throws IOException {
    Optional<Instant> current = read();
    if (current.isPresent() && !current.get().isBefore(to)) {
      return current.get();
    }
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(temp); // left by a crash
    QueueArchive.writeDurably(temp, ByteBuffer.wrap((to + "\n").getBytes(StandardCharsets.US_ASCII)));
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    QueueArchive.forceDirectory(file.getParent());
    return to;
  }
}
