package relay.core.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;

/**
 * One message being written by a {@link FileSpool}: the body streams into {@code incoming/<id>.msg};
 * {@link #commit} appends the envelope record and trailer, forces the file, renames it into {@code
 * queue/}, and waits for a directory sync that covers the rename. On any failure the temp file (and,
 * if the rename already happened, the queued file) is removed before the exception leaves, so the
 * client's 451 never hides a message that will later be delivered from a half-made state.
 *
 * <p>States: open (writing) → committed or closed. Threading: one thread at a time, as the contract
 * says; blocking disk I/O.
 */
final class FileSpoolTransaction implements SpoolTransaction {

  private static final Logger log = LoggerFactory.getLogger(FileSpoolTransaction.class);

  private final FileSpool spool;
  private final MessageId id;
  private final Path temp;
  private final Path target;
  private final FileChannel channel;
  private final ChecksummedOutput body;
  private boolean finished;

  FileSpoolTransaction(FileSpool spool, MessageId id, Path temp, Path target) throws IOException {
    this.spool = spool;
    this.id = id;
    this.temp = temp;
    this.target = target;
    this.channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.body = new ChecksummedOutput(channel);
  }

  @Override
  public OutputStream body() {
    return body;
  }

  @Override
  public QueuedMessage commit(Envelope envelope) throws IOException {
    if (finished) {
      throw new IllegalStateException("transaction " + id + " is already committed or closed");
    }
    finished = true;
    boolean renamed = false;
    try {
      body.seal();
      List<RecipientState> states = envelope.recipients().stream().map(RecipientState::pending).toList();
      // Due at once: the scheduler decides about the first attempt.
      QueuedMessage message = new QueuedMessage(id, envelope, states, 0, spool.now(), body.count());
      ByteBuffer tail = spool.format().messageTail(message, body.count(), body.crc());
      while (tail.hasRemaining()) {
        channel.write(tail);
      }
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      renamed = true;
      spool.queueSync().sync();
      spool.queued(message);
      return message;
    } catch (IOException | RuntimeException | Error e) {
      discard(renamed);
      throw e;
    }
  }

  @Override
  public void close() {
    if (!finished) {
      finished = true;
      discard(false);
    }
  }

  private void discard(boolean renamed) {
    body.abandon();
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("closing spool file {} failed", temp, e);
    }
    delete(temp);
    if (renamed) {
      delete(target);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Recovery removes incoming leftovers; a queued file we could not delete is logged loudly.
      log.error("could not delete spool file {} after a failed commit", file, e);
    }
  }
}
