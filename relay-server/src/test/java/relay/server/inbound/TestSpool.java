package relay.server.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;
import relay.core.spool.MessageBody;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.Spool;
import relay.core.spool.SpoolFullException;
import relay.core.spool.SpoolPart;
import relay.core.spool.SpoolTransaction;

/**
 * Test double of the {@link Spool} port: bodies go to files in a temporary directory, committed
 * messages are kept in a map. Can be told to refuse {@code begin()} as full or to fail commits.
 */
final class TestSpool implements Spool {

  enum Mode { OK, FULL, FAIL_COMMIT }

  private final Path dir;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<MessageId, QueuedMessage> queued = new ConcurrentHashMap<>();
  final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
  final AtomicInteger openTransactions = new AtomicInteger();
  final AtomicInteger begins = new AtomicInteger();

  TestSpool(Path dir) {
    this.dir = dir;
  }

  List<QueuedMessage> messages() {
    return queued.values().stream().sorted((a, b) -> a.id().value().compareTo(b.id().value())).toList();
  }

  byte[] content(QueuedMessage m) throws IOException {
    return Files.readAllBytes(dir.resolve(m.id().value()));
  }

  @Override
  public boolean admitsNewMessage() {
    return mode.get() != Mode.FULL;
  }

  @Override
  public SpoolTransaction begin() throws IOException {
    if (mode.get() == Mode.FULL) {
      throw new SpoolFullException("test spool is full");
    }
    begins.incrementAndGet();
    MessageId id = new MessageId("T" + ids.incrementAndGet());
    Path file = dir.resolve(id.value() + ".tmp");
    OutputStream out = Files.newOutputStream(file);
    openTransactions.incrementAndGet();
    return new SpoolTransaction() {
      private boolean committed;
      private long size;

      @Override
      public OutputStream body() {
        return new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            out.write(b);
            size++;
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            size += len;
          }

          @Override
          public void flush() throws IOException {
            out.flush();
          }
        };
      }

      @Override
      public QueuedMessage commit(Envelope envelope) throws IOException {
        if (mode.get() == Mode.FAIL_COMMIT) {
          throw new IOException("test spool commit failure");
        }
        out.close();
        Files.move(file, dir.resolve(id.value()));
        QueuedMessage m = new QueuedMessage(
            id, envelope, envelope.recipients().stream().map(RecipientState::pending).toList(), 0,
            envelope.receivedAt(), size);
        queued.put(id, m);
        committed = true;
        return m;
      }

      /** Parts share the content (header edits are the real spool's business, not this double's). */
      @Override
      public List<QueuedMessage> commit(List<SpoolPart> parts) throws IOException {
        if (mode.get() == Mode.FAIL_COMMIT) {
          throw new IOException("test spool commit failure");
        }
        out.close();
        List<QueuedMessage> result = new java.util.ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
          SpoolPart part = parts.get(i);
          MessageId partId = i == 0 ? id : new MessageId(id.value() + "P" + i);
          Files.copy(file, dir.resolve(partId.value()));
          QueuedMessage m = new QueuedMessage(
              partId, part.envelope(), part.envelope().recipients().stream().map(RecipientState::pending).toList(),
              0, part.envelope().receivedAt(), size, part.connector(), part.requireTls());
          queued.put(partId, m);
          result.add(m);
        }
        Files.delete(file);
        committed = true;
        return result;
      }

      @Override
      public void close() {
        openTransactions.decrementAndGet();
        if (!committed) {
          try {
            out.close();
            Files.deleteIfExists(file);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    };
  }

  @Override
  public List<QueuedMessage> recover() {
    return messages();
  }

  @Override
  public MessageBody body(QueuedMessage message) {
    MessageId id = message.id();
    Path file = dir.resolve(id.value());
    return new MessageBody() {
      @Override
      public long size() {
        return queued.get(id).bodySize();
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(file);
      }
    };
  }

  @Override
  public void update(QueuedMessage message) {
    queued.put(message.id(), message);
  }

  @Override
  public java.util.Optional<QueuedMessage> read(MessageId id) {
    return java.util.Optional.ofNullable(queued.get(id));
  }

  @Override
  public void remove(QueuedMessage message) throws IOException {
    queued.remove(message.id());
    Files.deleteIfExists(dir.resolve(message.id().value()));
  }

  // The listener's tests never deliver, so nothing is ever parked.
  @Override
  public void park(QueuedMessage message) {
    throw new UnsupportedOperationException("listener tests do not park");
  }

  @Override
  public List<QueuedMessage> unpark(String connector, java.time.Instant now, int limit) {
    return List.of();
  }

  @Override
  public void bringForward(String connector, java.time.Instant latest) {}

  @Override
  public java.util.Optional<java.time.Instant> nextParked(String connector) {
    return java.util.Optional.empty();
  }

  @Override
  public List<QueuedMessage> held(String connector, int limit) {
    return List.of();
  }

  @Override
  public long heldCount(String connector) {
    return 0;
  }

  @Override
  public long parkedCount(String connector) {
    return 0;
  }

  @Override
  public List<String> parkedConnectors() {
    return List.of();
  }

  @Override
  public long size() {
    return queued.size();
  }
}
