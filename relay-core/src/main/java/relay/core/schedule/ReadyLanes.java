package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.Pacing;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.ReplyMeaning;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.limits.LaneClaim;
import relay.core.limits.NodeLocalLimits;
import relay.core.limits.SharedLimits;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;

/**
 * The ready queues of one connector below its own slots: one {@link ReadyLane} per destination
 * domain or mailbox, as the connector's {@link LaneRule} says. A due message gets a {@link Lease} on
 * every lane it needs, or waits in line at the lane that has no room or whose pace says "not yet".
 * Waiting here is not an attempt: it adds no attempt, no back-off, no outcome.
 *
 * <p>Bounds: at most {@code perLaneWaiting} messages wait in one lane (more are handed back to be
 * parked for a minute, so that one slow lane cannot fill the connector's window and starve the
 * others); a lane whose pace keeps it closed for longer than {@code horizon} hands its waiting
 * messages back to be parked until then; at most {@link #MAX_LANES} lanes are kept (past that, the
 * least recently used idle one is forgotten).
 *
 * <p>Lanes with waiting messages are served in turn (round robin), so that no destination or mailbox
 * starves another; within a lane, first come first served.
 *
 * <p>Threading: safe for concurrent use; one lock, held only for bookkeeping.
 */
final class ReadyLanes {

  /** Most lanes remembered at once. */
  static final int MAX_LANES = 10_000;

  private static final Logger log = LoggerFactory.getLogger(ReadyLanes.class);

  /** What {@link #offer} did with a due message. A closed set. */
  sealed interface Grant {
    /** The message may be attempted now, on this lease. */
    record Leased(LaneLease lease) implements Grant {}

    /** The message waits in a lane; {@link #nextReady} hands it out when the lane can take it. */
    record Waits() implements Grant {}

    /** Park the message until {@code at}: its lane is closed that long, or holds as many as it may. */
    record ParkUntil(Instant at) implements Grant {}
  }

  /** A message with what it needs from the lanes. */
  record LeaseRequest(QueuedMessage message, List<LaneRule.Demand> demands) {}

  /** A message parked back to the spool by {@link #closedLanes}, with when it may try again. */
  record Parked(QueuedMessage message, Instant until) {}

  private final String connector;
  private final LaneRule rule;
  private final ReplyClassifier classifier;
  private final SharedLimits shared;
  private final int perLaneWaiting;
  private final Duration horizon;
  private final ReentrantLock lock = new ReentrantLock();
  // access order: the first entry is the least recently used
  private final Map<String, ReadyLane> lanes = new LinkedHashMap<>(16, 0.75f, true);
  // lanes with waiting messages, in the order they are served next
  private final LinkedHashSet<ReadyLane> lined = new LinkedHashSet<>();
  private long arrivals;
  private int waiting;

  ReadyLanes(String connector, LaneRule rule, ReplyClassifier classifier, int perLaneWaiting, Duration horizon) {
    this(connector, rule, classifier, perLaneWaiting, horizon, new NodeLocalLimits());
  }

  /**
   * @param shared the store every lease is also asked of, outside this object's lock, before its
   *     attempt starts ({@link LaneLease#share}); {@link NodeLocalLimits} for a relay that is no cluster
   */
  ReadyLanes(String connector, LaneRule rule, ReplyClassifier classifier, int perLaneWaiting, Duration horizon,
      SharedLimits shared) {
    this.shared = Objects.requireNonNull(shared, "shared");
    this.connector = Objects.requireNonNull(connector, "connector");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.perLaneWaiting = Math.max(1, perLaneWaiting);
    this.horizon = Objects.requireNonNull(horizon, "horizon");
  }

  /** Asks for a lease for a message that is due now. */
  Grant offer(QueuedMessage message, Instant now) {
    List<Recipient> pending = pending(message);
    List<LaneRule.Demand> demands = pending.isEmpty() ? List.of() : rule.demands(message.envelope().sender(), pending);
    if (demands.isEmpty()) {
      return new Grant.Leased(new LaneLease(this, message, demands, List.of(), now));
    }
    LeaseRequest request = new LeaseRequest(message, demands);
    lock.lock();
    try {
      return switch (tryLease(request, now)) {
        case Attempt.Granted granted -> new Grant.Leased(granted.lease());
        case Attempt.Blocked blocked -> line(blocked, new ReadyLane.Waiting(request, arrivals++), now);
      };
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next waiting message whose lanes can take it now, lanes served in turn; empty when none can.
   */
  Optional<LaneLease> nextReady(Instant now) {
    lock.lock();
    try {
      Iterator<ReadyLane> it = lined.iterator();
      List<ReadyLane> servedAgainLater = new ArrayList<>();
      List<Attempt.Blocked> movedTo = new ArrayList<>();
      List<ReadyLane.Waiting> moved = new ArrayList<>();
      Optional<LaneLease> found = Optional.empty();
      while (it.hasNext() && found.isEmpty()) {
        ReadyLane lane = it.next();
        if (!lane.hasRoom() || lane.notBefore().filter(now::isBefore).isPresent()) {
          continue;
        }
        ReadyLane.Waiting head = lane.waiting.peekFirst();
        switch (tryLease(head.request(), now)) {
          case Attempt.Granted granted -> {
            lane.waiting.pollFirst();
            waiting--;
            it.remove();
            if (!lane.waiting.isEmpty()) {
              servedAgainLater.add(lane); // back of the line: the other lanes go first
            }
            found = Optional.of(granted.lease());
          }
          case Attempt.Blocked blocked -> {
            if (blocked.lane() != lane) {
              // Another lane (a second recipient domain) has no room: wait there instead.
              lane.waiting.pollFirst();
              waiting--;
              if (lane.waiting.isEmpty()) {
                it.remove();
              }
              movedTo.add(blocked);
              moved.add(head);
            } // else still closed; its notBefore was updated
          }
        }
      }
      for (int i = 0; i < moved.size(); i++) {
        moveTo(movedTo.get(i).lane(), moved.get(i));
      }
      lined.addAll(servedAgainLater);
      return found;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the waiting messages of every lane whose pace keeps it closed beyond the horizon (a
   * mailbox that reached its recipients per day): they are parked until the lane opens, instead of
   * filling the window meanwhile.
   */
  List<Parked> closedLanes(Instant now) {
    lock.lock();
    try {
      List<Parked> parked = new ArrayList<>();
      Iterator<ReadyLane> it = lined.iterator();
      while (it.hasNext()) {
        ReadyLane lane = it.next();
        Optional<Instant> until = lane.notBefore().filter(t -> t.isAfter(now.plus(horizon)));
        if (until.isPresent()) {
          lane.waiting.forEach(w -> parked.add(new Parked(w.request().message(), until.get())));
          waiting -= lane.waiting.size();
          lane.waiting.clear();
          it.remove();
        }
      }
      return parked;
    } finally {
      lock.unlock();
    }
  }

  /** When the earliest paced lane with waiting messages opens; lanes waiting for room wait for an attempt to end. */
  Optional<Instant> nextOpening() {
    lock.lock();
    try {
      return lined.stream().filter(ReadyLane::hasRoom).map(ReadyLane::notBefore).flatMap(Optional::stream)
          .min(Instant::compareTo);
    } finally {
      lock.unlock();
    }
  }

  /** Takes one waiting message out; empty when it is not waiting here. */
  Optional<QueuedMessage> remove(MessageId id) {
    lock.lock();
    try {
      for (Iterator<ReadyLane> it = lined.iterator(); it.hasNext(); ) {
        ReadyLane lane = it.next();
        Optional<ReadyLane.Waiting> found =
            lane.waiting.stream().filter(w -> w.request().message().id().equals(id)).findFirst();
        if (found.isPresent()) {
          lane.waiting.remove(found.get());
          waiting--;
          if (lane.waiting.isEmpty()) {
            it.remove();
          }
          return Optional.of(found.get().request().message());
        }
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every waiting message. */
  List<QueuedMessage> takeAll() {
    lock.lock();
    try {
      List<QueuedMessage> all = new ArrayList<>(waiting);
      lined.forEach(lane -> {
        lane.waiting.forEach(w -> all.add(w.request().message()));
        lane.waiting.clear();
      });
      lined.clear();
      waiting = 0;
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** Messages waiting in a lane. */
  int waiting() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  /**
   * How much of its limits each mailbox of a {@link LaneRule.PerMailbox} rule uses at {@code now}:
   * every configured mailbox, once each, in configuration order (one that has no lane yet shows
   * zeros). Empty for other rules, whose lanes are destination domains, not configured names.
   */
  List<MailboxUse> mailboxUse(Instant now) {
    if (!(rule instanceof LaneRule.PerMailbox perMailbox)) {
      return List.of();
    }
    Pacing pacing = perMailbox.pacing();
    List<String> mailboxes = perMailbox.identities().entries().stream()
        .map(id -> id.mailbox().toLowerCase(Locale.ROOT)).distinct().toList();
    lock.lock();
    try {
      // Read through iteration: get() would count as a use in the access order that picks lanes to forget.
      Map<String, ReadyLane> known = new LinkedHashMap<>();
      lanes.forEach(known::put);
      List<MailboxUse> use = new ArrayList<>(mailboxes.size());
      for (String mailbox : mailboxes) {
        ReadyLane lane = known.get(mailbox);
        use.add(lane == null || lane.pace() == null
            ? new MailboxUse(mailbox, 0, pacing.maxSessions(), 0, pacing.messagesPerWindow(), 0,
                pacing.recipientsPerWindow())
            : new MailboxUse(mailbox, lane.inUse(), lane.limit(), lane.pace().messagesInWindow(now),
                pacing.messagesPerWindow(), lane.pace().recipientsInWindow(now), pacing.recipientsPerWindow()));
      }
      return use;
    } finally {
      lock.unlock();
    }
  }

  /** The connector these lanes belong to. */
  String connector() {
    return connector;
  }

  /** The store shared with other nodes. */
  SharedLimits shared() {
    return shared;
  }

  /** What an attempt in {@code lane} claims from the shared store, and what the lane allows. */
  LaneClaim claim(ReadyLane lane, LaneRule.Demand demand) {
    Optional<Pacing> pacing = switch (rule) {
      case LaneRule.Connector c -> Optional.empty();
      case LaneRule.PerDomain d -> Optional.empty();
      case LaneRule.PerMailbox m -> Optional.of(m.pacing());
    };
    return new LaneClaim(lane.key, demand.transactions(), demand.recipients(), lane.max(), pacing);
  }

  /**
   * A lease ended with these outcomes: its lanes get their room back, a throttling reply rests them
   * and lowers their limit, a delivery raises it again.
   */
  void end(LaneLease lease, Collection<RecipientOutcome> outcomes, boolean throttled, Duration rest, Instant now) {
    boolean delivered = outcomes.stream().anyMatch(o -> o instanceof RecipientOutcome.Delivered);
    lock.lock();
    try {
      for (int i = 0; i < lease.lanes().size(); i++) {
        ReadyLane lane = lease.lanes().get(i);
        lane.end(lease.demands().get(i), now, throttled, delivered, rest);
        if (throttled) {
          log.warn("connector '{}': {} throttled upstream; resting it{} and lowering its attempts at once to {}",
              connector, lane.key, rest.isZero() ? "" : " at least " + rest.toSeconds() + "s as asked", lane.limit());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The outcomes whose upstream reply says "too many" (throttling replies). */
  List<RecipientOutcome> throttles(Collection<RecipientOutcome> outcomes) {
    return outcomes.stream().filter(o -> classifier.classify(o.report()) == ReplyMeaning.THROTTLED).toList();
  }

  /**
   * A lease the shared store refused: it never started, so its lanes take back what they counted,
   * and the message goes back to the head of the line of lane {@code blocked} (an index into the
   * lease's lanes), which opens again at {@code until}.
   */
  void putBack(LaneLease lease, int blocked, Instant until) {
    lock.lock();
    try {
      for (int i = 0; i < lease.lanes().size(); i++) {
        lease.lanes().get(i).cancel(lease.demands().get(i), lease.grantedAt());
      }
      ReadyLane lane = lease.lanes().get(Math.clamp(blocked, 0, lease.lanes().size() - 1));
      lane.waitUntil(until);
      lane.waiting.addFirst(new ReadyLane.Waiting(new LeaseRequest(lease.message(), lease.demands()), arrivals++));
      waiting++;
      lined.add(lane);
    } finally {
      lock.unlock();
    }
  }

  /** What trying a lease came to. */
  private sealed interface Attempt {
    record Granted(LaneLease lease) implements Attempt {}

    /** {@code lane} has no room ({@code until} empty) or its pace opens at {@code until}. */
    record Blocked(ReadyLane lane, Optional<Instant> until) implements Attempt {}
  }

  // Under the lock. All lanes or none: room is checked everywhere before a pace turn is taken, and a
  // rule gives a message at most one paced lane (its mailbox), so a refused turn leaves nothing counted.
  private Attempt tryLease(LeaseRequest request, Instant now) {
    List<ReadyLane> needed = new ArrayList<>(request.demands().size());
    for (LaneRule.Demand demand : request.demands()) {
      ReadyLane lane = lane(demand.lane());
      if (!lane.hasRoom()) {
        return new Attempt.Blocked(lane, Optional.empty());
      }
      needed.add(lane);
    }
    for (int i = 0; i < needed.size(); i++) {
      Optional<Instant> wait = needed.get(i).turn(request.demands().get(i), now).map(w -> w.at());
      if (wait.isPresent()) {
        return new Attempt.Blocked(needed.get(i), wait);
      }
    }
    needed.forEach(ReadyLane::take);
    return new Attempt.Granted(new LaneLease(this, request.message(), request.demands(), needed, now));
  }

  private Grant line(Attempt.Blocked blocked, ReadyLane.Waiting waiter, Instant now) {
    ReadyLane lane = blocked.lane();
    if (blocked.until().filter(t -> t.isAfter(now.plus(horizon))).isPresent()) {
      return new Grant.ParkUntil(blocked.until().get());
    }
    if (lane.waiting.size() >= perLaneWaiting) {
      return new Grant.ParkUntil(now.plus(horizon));
    }
    moveTo(lane, waiter);
    return new Grant.Waits();
  }

  private void moveTo(ReadyLane lane, ReadyLane.Waiting waiter) {
    lane.waiting.addLast(waiter);
    waiting++;
    lined.add(lane);
  }

  private ReadyLane lane(String key) {
    ReadyLane lane = lanes.get(key);
    if (lane == null) {
      if (lanes.size() >= MAX_LANES) {
        forgetOneIdleLane();
      }
      lane = switch (rule) {
        case LaneRule.Connector c -> throw new IllegalStateException("a connector rule has no lanes");
        case LaneRule.PerDomain d -> new ReadyLane(key, d.connections(), null);
        case LaneRule.PerMailbox m -> new ReadyLane(key, m.pacing().maxSessions(), m.pacing());
      };
      lanes.put(key, lane);
    }
    return lane;
  }

  private void forgetOneIdleLane() {
    for (Iterator<ReadyLane> it = lanes.values().iterator(); it.hasNext(); ) {
      if (it.next().idle()) {
        it.remove();
        return;
      }
    }
  }

  private static List<Recipient> pending(QueuedMessage message) {
    return message.recipients().stream()
        .filter(r -> r.status() == RecipientStatus.PENDING)
        .map(RecipientState::recipient)
        .toList();
  }
}
