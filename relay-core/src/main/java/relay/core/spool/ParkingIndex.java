package relay.core.spool;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.envelope.MessageId;

/**
 * Where messages that wait on disk can be found again without reading the queue: one empty marker
 * file per message, {@code <root>/<lane>/<slot>/<id>}, where {@code lane} is the outbound connector
 * and {@code slot} the minute (since the epoch, ten digits, so names sort by time) the message is
 * due. Finding what is due means listing the few slot names of a lane and then the markers of the
 * earliest slots: the cost follows what is taken, not what is queued.
 *
 * <p>Markers are hints, not records: they are created and deleted without forcing anything, so a
 * crash may lose some or leave stale ones. Whoever takes a marker reads the message's record and
 * trusts that (a marker whose message is gone, is already in memory or is due later is simply
 * dropped or put right); recovery parks every message it finds that is not taken up at once, so
 * nothing queued stays unfindable after a restart.
 *
 * <p>Each lane's markers are also tallied in memory ({@link MarkerTally}: how many, and when the
 * earliest-accepted one arrived), so that {@link #count} and {@link #earliestArrival} cost the same
 * with ten markers or a million. The tally is seeded by listing the lane once, the first time the
 * lane is used ({@link #tallyAll} does every lane up front), and from then on follows every marker
 * this index creates or deletes. Markers changed behind its back (by hand, by a crash) are not seen
 * until the next start: the figures are as much hints as the markers.
 *
 * <p>Threading: {@link #mark} may be called from any thread; {@link #take} is serialised by a lock
 * (one scheduler per lane takes, but a reload may briefly run two). Seeding a lane's tally holds
 * back every other change to that lane until it is done, so that no marker is counted twice.
 */
final class ParkingIndex {

  private static final long SLOT_SECONDS = 60;

  private final Path root;
  private final ReentrantLock taking = new ReentrantLock();
  private final ReentrantLock seeding = new ReentrantLock();
  private final ConcurrentHashMap<String, MarkerTally> tallies = new ConcurrentHashMap<>();

  ParkingIndex(Path root) {
    this.root = root;
  }

  /** Records message {@code id} of {@code lane} in {@code slot} ({@link #slotOf} for a due time). */
  void mark(String lane, MessageId id, String slotName) throws IOException {
    MarkerTally tally = tally(lane);
    Path slot = laneDirectory(lane).resolve(slotName);
    Path marker = slot.resolve(id.value());
    try {
      Files.createFile(marker);
      tally.add(id);
    } catch (FileAlreadyExistsException e) {
      // Marked already (recovery parking a message whose marker survived): one is enough.
    } catch (NoSuchFileException e) {
      Files.createDirectories(slot);
      try {
        Files.createFile(marker);
        tally.add(id);
      } catch (FileAlreadyExistsException again) {
        // as above
      }
    }
  }

  /**
   * Takes (deletes and returns) at most {@code limit} markers of {@code lane} whose slot has begun by
   * {@code now}, earliest slot first; the ids are returned in id (arrival) order.
   */
  List<MessageId> take(String lane, Instant now, int limit) throws IOException {
    List<MessageId> taken = new ArrayList<>();
    MarkerTally tally = tally(lane);
    taking.lock();
    try {
      for (String slot : names(laneDirectory(lane))) {
        if (taken.size() >= limit || slotStart(slot).isAfter(now)) {
          break;
        }
        Path directory = laneDirectory(lane).resolve(slot);
        // Unsorted, stopping at the limit: a slot may hold tens of thousands of markers, and sorting
        // them all for every batch would cost more than the batch. Within a minute order is moot.
        boolean exhausted = true;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
          for (Path marker : stream) {
            if (taken.size() >= limit) {
              exhausted = false;
              break;
            }
            boolean deleted = Files.deleteIfExists(marker);
            Optional<MessageId> id = idOf(marker.getFileName().toString());
            id.ifPresent(taken::add);
            if (deleted) {
              id.ifPresent(tally::remove);
            }
          }
        } catch (NoSuchFileException e) {
          continue;
        }
        if (exhausted) {
          deleteIfEmpty(directory);
        }
      }
    } finally {
      taking.unlock();
    }
    taken.sort(Comparator.comparing(MessageId::value));
    return taken;
  }

  /** Up to {@code limit} ids marked for {@code lane}, earliest slot first, without taking them. */
  List<MessageId> list(String lane, int limit) throws IOException {
    List<MessageId> found = new ArrayList<>();
    for (String slot : names(laneDirectory(lane))) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(laneDirectory(lane).resolve(slot))) {
        for (Path marker : stream) {
          if (found.size() >= limit) {
            return found;
          }
          idOf(marker.getFileName().toString()).ifPresent(found::add);
        }
      } catch (NoSuchFileException e) {
        // taken meanwhile
      }
    }
    return found;
  }

  /** Deletes {@code id}'s marker in {@code lane}'s {@code slot}, if there is one. */
  void forget(String lane, MessageId id, String slot) throws IOException {
    MarkerTally tally = tally(lane);
    if (Files.deleteIfExists(laneDirectory(lane).resolve(slot).resolve(id.value()))) {
      tally.remove(id);
    }
  }

  /**
   * Moves every marker of {@code lane} due after {@code latest} into {@code latest}'s slot (renames
   * only, no record is read): what a shortened retry schedule needs. Returns how many moved.
   */
  long bringForward(String lane, Instant latest) throws IOException {
    String target = slotOf(latest);
    Path targetDirectory = laneDirectory(lane).resolve(target);
    long moved = 0;
    MarkerTally tally = tally(lane);
    taking.lock();
    try {
      for (String slot : names(laneDirectory(lane))) {
        if (slot.compareTo(target) <= 0) {
          continue;
        }
        Path directory = laneDirectory(lane).resolve(slot);
        Files.createDirectories(targetDirectory);
        for (String marker : names(directory)) {
          // The same message marked in both slots: the move leaves one marker where there were two.
          boolean twice = Files.exists(targetDirectory.resolve(marker));
          Files.move(directory.resolve(marker), targetDirectory.resolve(marker), StandardCopyOption.REPLACE_EXISTING);
          if (twice) {
            idOf(marker).ifPresent(tally::remove);
          }
          moved++;
        }
        deleteIfEmpty(directory);
      }
    } finally {
      taking.unlock();
    }
    return moved;
  }

  /** Markers of {@code lane}, from its tally (listed only the first time the lane is used). */
  long count(String lane) throws IOException {
    return tally(lane).count();
  }

  /**
   * When the earliest-accepted message marked in {@code lane} arrived (to about 33 seconds: the start
   * of its id's arrival period), from the lane's tally; empty when no marker has an id made by this
   * spool.
   */
  Optional<Instant> earliestArrival(String lane) throws IOException {
    return tally(lane).earliest();
  }

  /** Seeds the tally of every lane that has markers now (recovery does it, before the first scrape). */
  void tallyAll() throws IOException {
    for (String lane : lanes()) {
      tally(lane);
    }
  }

  /**
   * The tally of {@code lane}, seeded by listing the lane's markers the first time it is needed.
   * Every change to a lane's markers asks for its tally first, so none happens during the listing.
   */
  private MarkerTally tally(String lane) throws IOException {
    MarkerTally tally = tallies.get(lane);
    if (tally != null) {
      return tally;
    }
    seeding.lock();
    try {
      tally = tallies.get(lane);
      if (tally == null) {
        tally = new MarkerTally();
        for (String slot : names(laneDirectory(lane))) {
          try (DirectoryStream<Path> stream = Files.newDirectoryStream(laneDirectory(lane).resolve(slot))) {
            for (Path marker : stream) {
              idOf(marker.getFileName().toString()).ifPresent(tally::add);
            }
          } catch (NoSuchFileException e) {
            // an empty slot removed meanwhile
          }
        }
        tallies.put(lane, tally);
      }
      return tally;
    } finally {
      seeding.unlock();
    }
  }

  /**
   * When the earliest slot of {@code lane} begins, if any marker may be there. An index that cannot
   * be listed reads as "something may be due now", so that callers try (and report) again.
   *
   * <p>A lane whose tally is empty is not listed: the scheduler asks this before every refill, and
   * listing an empty (often absent) lane cost about 4 % of the relay's CPU under a steady flow of
   * mail that is never parked. A marker created while this runs may be seen at the next call only;
   * the scheduler looks again within half a minute in any case.
   */
  Optional<Instant> earliest(String lane) {
    try {
      if (tally(lane).count() == 0) {
        return Optional.empty();
      }
      List<String> slots = names(laneDirectory(lane));
      return slots.isEmpty() ? Optional.empty() : Optional.of(slotStart(slots.getFirst()));
    } catch (IOException e) {
      return Optional.of(Instant.EPOCH);
    }
  }

  /** The lanes that have (or had) markers. */
  List<String> lanes() throws IOException {
    return names(root).stream().map(name -> URLDecoder.decode(name, StandardCharsets.UTF_8)).toList();
  }

  private Path laneDirectory(String lane) {
    // Connector names are safe file names as configured; encoding keeps any other name harmless.
    String encoded = URLEncoder.encode(lane, StandardCharsets.UTF_8);
    if (encoded.startsWith(".")) {
      encoded = "%2E" + encoded.substring(1);
    }
    return root.resolve(encoded);
  }

  /** The slot of a due time: its minute since the epoch. */
  static String slotOf(Instant at) {
    long minute = Math.max(0, Math.floorDiv(at.getEpochSecond(), SLOT_SECONDS));
    return String.format("%010d", minute);
  }

  private static Instant slotStart(String slot) {
    try {
      return Instant.ofEpochSecond(Long.parseLong(slot) * SLOT_SECONDS);
    } catch (NumberFormatException e) {
      return Instant.MAX; // not ours: never due
    }
  }

  private static Optional<MessageId> idOf(String name) {
    try {
      return Optional.of(new MessageId(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static void deleteIfEmpty(Path directory) throws IOException {
    try {
      Files.deleteIfExists(directory);
    } catch (DirectoryNotEmptyException e) {
      // A marker arrived meanwhile: the slot stays.
    }
  }

  /** Sorted names in {@code directory}; none when it does not exist. */
  static List<String> names(Path directory) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      for (Path path : stream) {
        names.add(path.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      return names;
    }
    names.sort(null);
    return names;
  }
}
