package relay.core.spool;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.MessageId;

/**
 * Where the spool finds the messages that wait out of memory, per connector: those parked until
 * their next attempt (by due time) and those held until released (by arrival, so that a release
 * finds its marker directly). Markers are hints; the message's own record decides, which is
 * {@link FileSpool}'s business. Counts and the oldest arrival come from tallies, never from
 * listing the markers.
 *
 * <p>Threading: thread-safe, like the two {@link ParkingIndex}es it keeps; disk I/O blocks.
 */
final class WaitingIndex {

  private final ParkingIndex parked;
  private final ParkingIndex held;

  WaitingIndex(SpoolDirectories directories) {
    this.parked = new ParkingIndex(directories.parked());
    this.held = new ParkingIndex(directories.held());
  }

  /** Counts every lane of both indexes now, so that later counts never list them. */
  void tallyAll() throws IOException {
    parked.tallyAll();
    held.tallyAll();
  }

  /** Marks {@code message} as waiting: held, or parked until its next attempt. */
  void mark(QueuedMessage message) throws IOException {
    String lane = Objects.requireNonNull(message.connector(), "a parked message has a connector");
    if (message.isHeld()) {
      held.mark(lane, message.id(), heldSlot(message.id()));
    } else {
      parked.mark(lane, message.id(), ParkingIndex.slotOf(message.nextAttemptAt()));
    }
  }

  /** Takes up to {@code limit} parked ids of {@code connector} due by {@code now}, in arrival order. */
  List<MessageId> takeDue(String connector, Instant now, int limit) throws IOException {
    return parked.take(connector, now, limit);
  }

  /** Moves every parked marker of {@code connector} due after {@code latest} to {@code latest}. */
  long bringForward(String connector, Instant latest) throws IOException {
    return parked.bringForward(connector, latest);
  }

  /** When the earliest parked message of {@code connector} may be due. */
  Optional<Instant> nextDue(String connector) {
    return parked.earliest(connector);
  }

  /** Up to {@code limit} held ids of {@code connector}, left in place. */
  List<MessageId> held(String connector, int limit) throws IOException {
    return held.list(connector, limit);
  }

  /** Drops the held marker of {@code id} (released, delivered or moved). */
  void forgetHeld(String connector, MessageId id) throws IOException {
    held.forget(connector, id, heldSlot(id));
  }

  /** Connectors with a parked or held marker. */
  List<String> connectors() throws IOException {
    Set<String> lanes = new LinkedHashSet<>(parked.lanes());
    lanes.addAll(held.lanes());
    return List.copyOf(lanes);
  }

  long heldCount(String connector) throws IOException {
    return held.count(connector);
  }

  long parkedCount(String connector) throws IOException {
    return parked.count(connector);
  }

  /** When the earliest-accepted message waiting for {@code connector} (parked or held) arrived. */
  Optional<Instant> oldestArrival(String connector) throws IOException {
    Optional<Instant> deferred = parked.earliestArrival(connector);
    Optional<Instant> waiting = held.earliestArrival(connector);
    if (deferred.isEmpty()) {
      return waiting;
    }
    return waiting.isPresent() && waiting.get().isBefore(deferred.get()) ? waiting : deferred;
  }

  /** Held markers are grouped like the queue (by the id's time), so a release finds its marker directly. */
  private static String heldSlot(MessageId id) {
    String value = id.value();
    return value.length() >= 7 ? value.substring(0, 7) : "_";
  }
}
