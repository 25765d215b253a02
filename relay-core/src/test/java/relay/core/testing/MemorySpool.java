package relay.core.testing;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  public MessageBody body(MessageId id) {
    byte[] bytes = bodies.get(id);
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
  public void remove(MessageId id) {
    messages.remove(id);
    bodies.remove(id);
    removed.add(id);
  }

  @Override
  public int size() {
    return messages.size();
  }
}
