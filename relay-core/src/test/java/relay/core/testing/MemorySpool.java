package relay.core.testing;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import relay.core.envelope.MessageId;
import relay.core.spool.MessageBody;
import relay.core.spool.QueuedMessage;
import relay.core.spool.Spool;
import relay.core.spool.SpoolTransaction;

/**
 * An in-memory stand-in for the spool, for delivery tests: messages are put in ready-made, and every
 * state written and every removal is remembered for assertions. It never starts new messages.
 * Shared with relay-server's tests through relay-core's test jar (package {@code relay.core.testing}
 * only). Thread-safe.
 */
public final class MemorySpool implements Spool {

  public final Map<MessageId, QueuedMessage> messages = new ConcurrentHashMap<>();
  public final Map<MessageId, byte[]> bodies = new ConcurrentHashMap<>();
  public final List<QueuedMessage> updates = new CopyOnWriteArrayList<>();
  public final List<MessageId> removed = new CopyOnWriteArrayList<>();
  /** Ids parked (left memory) with their connector, as the on-disk index would hold them. */
  public final Map<MessageId, String> parked = new ConcurrentHashMap<>();
  /** When each parked message is due by the index (the spool record may say otherwise). */
  private final Map<MessageId, Instant> parkedUntil = new ConcurrentHashMap<>();

  public void put(QueuedMessage message, byte[] body) {
    messages.put(message.id(), message);
    bodies.put(message.id(), body);
  }

  @Override
  public SpoolTransaction begin() {
    throw new UnsupportedOperationException("delivery never starts messages");
  }

  @Override
  public List<QueuedMessage> recover() {
    return new ArrayList<>(messages.values());
  }

  @Override
  public MessageBody body(QueuedMessage message) {
    byte[] bytes = bodies.get(message.id());
    return new MessageBody() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  @Override
  public void update(QueuedMessage message) {
    if (!messages.containsKey(message.id())) {
      throw new IllegalStateException("update of a message not in the spool: " + message.id());
    }
    messages.put(message.id(), message);
    updates.add(message);
  }

  @Override
  public Optional<QueuedMessage> read(MessageId id) {
    return Optional.ofNullable(messages.get(id));
  }

  @Override
  public void remove(QueuedMessage message) {
    MessageId id = message.id();
    messages.remove(id);
    bodies.remove(id);
    parked.remove(id);
    removed.add(id);
  }

  @Override
  public void park(QueuedMessage message) {
    parked.put(message.id(), message.connector());
    parkedUntil.put(message.id(), message.nextAttemptAt());
  }

  private Instant parkedUntil(QueuedMessage m) {
    return parkedUntil.getOrDefault(m.id(), m.nextAttemptAt());
  }

  private boolean parkedFor(QueuedMessage m, String connector) {
    return m != null && connector.equals(parked.get(m.id()));
  }

  @Override
  public synchronized List<QueuedMessage> unpark(String connector, Instant now, int limit) {
    List<QueuedMessage> due = parked.keySet().stream().map(messages::get)
        .filter(m -> parkedFor(m, connector) && m.hasPending() && !parkedUntil(m).isAfter(now))
        .sorted(Comparator.comparing(this::parkedUntil))
        .limit(limit)
        .toList();
    due.forEach(m -> {
      parked.remove(m.id());
      parkedUntil.remove(m.id());
    });
    return due;
  }

  @Override
  public void bringForward(String connector, Instant latest) {
    parked.forEach((id, lane) -> messages.computeIfPresent(id, (k, m) -> connector.equals(lane) && m.nextAttemptAt().isAfter(latest)
        ? m.withState(m.recipients(), m.attempts(), latest) : m));
    parked.forEach((id, lane) -> parkedUntil.computeIfPresent(id, (k, t) -> connector.equals(lane) && t.isAfter(latest) ? latest : t));
  }

  @Override
  public Optional<Instant> nextParked(String connector) {
    return parked.keySet().stream().map(messages::get)
        .filter(m -> parkedFor(m, connector) && m.hasPending())
        .map(this::parkedUntil)
        .min(Comparator.naturalOrder());
  }

  @Override
  public List<QueuedMessage> held(String connector, int limit) {
    return messages.values().stream()
        .filter(m -> parkedFor(m, connector) && m.isHeld())
        .limit(limit)
        .toList();
  }

  @Override
  public long parkedCount(String connector) {
    return parked.values().stream().filter(connector::equals).count();
  }

  @Override
  public long heldCount(String connector) {
    return held(connector, Integer.MAX_VALUE).size();
  }

  @Override
  public List<String> parkedConnectors() {
    return parked.values().stream().distinct().toList();
  }

  @Override
  public long size() {
    return messages.size();
  }
}
