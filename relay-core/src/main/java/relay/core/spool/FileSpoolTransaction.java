package relay.core.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;

/**
 * One message being written by a {@link FileSpool}: the body streams into {@code incoming/<id>.msg};
 * {@link #commit} appends the envelope record and trailer, renames the file into {@code queue/} and
 * makes it durable: through the spool's {@link IntakeJournal} when it takes the file (one message
 * without header edits, small enough), else by forcing the file and waiting for a directory sync that
 * covers the rename. On any failure the temp file (and, if the rename already happened, the queued
 * file and its journal copy) is removed before the exception leaves, so the client's 451 never hides
 * a message that will later be delivered from a half-made state.
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
  private final boolean overwrite;
  private final FileChannel channel;
  private final ChecksummedOutput body;
  private boolean finished;

  /**
   * @param temp the file to write: a new one in {@code incoming/}, or a spare to overwrite
   * @param overwrite true when {@code temp} is a spare: it exists and is cut to length at commit
   */
  FileSpoolTransaction(FileSpool spool, MessageId id, Path temp, boolean overwrite, Path target) throws IOException {
    this.spool = spool;
    this.id = id;
    this.temp = temp;
    this.target = target;
    this.overwrite = overwrite;
    this.channel = overwrite
        ? FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.READ)
        : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.body = new ChecksummedOutput(channel);
  }

  @Override
  public OutputStream body() {
    return body;
  }

  @Override
  public QueuedMessage commit(Envelope envelope) throws IOException {
    return commit(List.of(SpoolPart.whole(envelope))).getFirst();
  }

  @Override
  public List<QueuedMessage> commit(List<SpoolPart> parts) throws IOException {
    if (finished) {
      throw new IllegalStateException("transaction " + id + " is already committed or closed");
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a commit needs at least one part");
    }
    finished = true;
    List<Path> temps = new ArrayList<>();
    List<Path> renamed = new ArrayList<>();
    IntakeJournal journal = null; // set when the journal may take the message: one part, the file as streamed
    boolean journalSaw = false;
    try {
      long length = body.count();
      // The streamed file becomes the first part without header edits; every other part is a copy.
      int streamed = -1;
      for (int i = 0; i < parts.size() && streamed < 0; i++) {
        streamed = parts.get(i).headerEdits().isEmpty() ? i : -1;
      }
      if (parts.size() == 1 && streamed == 0) {
        journal = spool.journal();
      }
      QueuedMessage streamedMessage = streamed < 0 ? null : queued(id, parts.get(streamed), length);
      ByteBuffer tail = streamedMessage == null ? ByteBuffer.allocate(0)
          : spool.format().messageTail(streamedMessage, length, body.crc());
      ByteBuffer whole = body.seal(tail); // the file as written, when it was small enough to keep
      if (streamedMessage != null) {
        finishFile(channel, length + tail.remaining(), journal == null);
      }
      EditedCopy source = streamed == 0 && parts.size() == 1 ? null : EditedCopy.of(temp, length);
      if (source != null && !source.editable()) {
        log.warn("message {}: header section longer than {} bytes, header edits not applied", id, EditedCopy.HEADER_LIMIT);
      }
      List<QueuedMessage> messages = new ArrayList<>();
      List<Path> targets = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        SpoolPart part = parts.get(i);
        if (i == streamed) {
          messages.add(streamedMessage);
          temps.add(temp);
          targets.add(target);
        } else {
          MessageId copyId = spool.nextId();
          Path copyTemp = spool.incomingFile(copyId);
          temps.add(copyTemp);
          try (FileChannel out = FileChannel.open(copyTemp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ChecksummedOutput content = new ChecksummedOutput(out);
            source.write(part.headerEdits(), content);
            QueuedMessage message = queued(copyId, part, content.count());
            content.seal(spool.format().messageTail(message, content.count(), content.crc()));
            out.force(true);
            messages.add(message);
          }
          targets.add(spool.buckets().messageFile(copyId));
        }
      }
      long fileLength = length + tail.remaining();
      ByteBuffer copy = journal == null || fileLength > IntakeJournal.RECORD_MAX ? null
          : whole != null ? whole : readBack(channel, fileLength);
      channel.close();
      for (int i = 0; i < temps.size(); i++) {
        Files.move(temps.get(i), targets.get(i), StandardCopyOption.ATOMIC_MOVE);
        renamed.add(targets.get(i));
      }
      JournalSegment segment = copy == null ? null : journal.append(id, copy);
      journalSaw = segment != null;
      if (segment != null) {
        journal.awaitDurable(segment);
      } else {
        if (journal != null) {
          force(target); // written for the journal, which could not take it
        }
        // One directory sync per bucket covers every rename: the parts become durable together.
        spool.buckets().sync(targets);
      }
      spool.queued(messages);
      if (streamed < 0) {
        delete(temp);
      }
      return List.copyOf(messages);
    } catch (IOException | RuntimeException | Error e) {
      if (journalSaw) {
        journal.removed(id); // its copy may still reach the disk: a restart must not queue it again
      }
      discard(false);
      temps.forEach(FileSpoolTransaction::delete);
      renamed.forEach(FileSpoolTransaction::delete);
      throw e;
    }
  }

  private QueuedMessage queued(MessageId messageId, SpoolPart part, long length) {
    List<RecipientState> states = part.envelope().recipients().stream().map(RecipientState::pending).toList();
    // Due at once: the scheduler decides about the first attempt.
    return new QueuedMessage(
        messageId, part.envelope(), states, 0, spool.now(), length, part.connector(), part.requireTls());
  }

  /**
   * Ends the streamed file at {@code fileLength} (a spare may have been longer) and forces it unless
   * the journal makes it durable.
   */
  private void finishFile(FileChannel out, long fileLength, boolean force) throws IOException {
    // FileChannel.truncate also reads and sets the position: asking the size first is one call, not three.
    if (overwrite && out.size() > fileLength) {
      out.truncate(fileLength);
    }
    if (force) {
      out.force(true);
    }
  }

  private static ByteBuffer readBack(FileChannel file, long fileLength) throws IOException {
    return JournalSegment.readFully(file, ByteBuffer.allocate((int) fileLength), 0);
  }

  private static void force(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      channel.force(true);
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
