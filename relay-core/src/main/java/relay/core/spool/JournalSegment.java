package relay.core.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;

/**
 * One file of the {@link IntakeJournal}: an 8-byte header (magic, version), then records appended
 * in order, each {@code kind, id length, content length, id, content, CRC32C} where the checksum
 * starts with the segment's number (see {@link #checksum}). Reading stops at the first record that
 * does not verify. Its {@link #ids} only grow while it is current; sealed, it is read-only.
 *
 * <p>Threading: {@link #write} under the journal's lock; {@link #forces} group-commits; reading at
 * start, on one thread.
 */
final class JournalSegment {

  static final int MESSAGE = 0x524A4D31; // "RJM1"
  static final int REMOVAL = 0x524A5231; // "RJR1"
  private static final int SEGMENT_MAGIC = 0x524A4A31; // "RJJ1"
  private static final int HEADER = 12;
  private static final int ID_MAX = 64;
  private static final Logger log = LoggerFactory.getLogger(JournalSegment.class);

  /** Where a message record's content lies. */
  record Located(MessageId id, JournalSegment segment, long offset, int length) {}


  final long number;
  final Path file;
  final FileChannel channel;
  final GroupCommit forces;
  final List<MessageId> ids = new ArrayList<>();
  /** End of the last complete record. Written under the journal's lock. */
  private long bytes;
  private volatile boolean isSealed;

  private JournalSegment(long number, Path file, FileChannel channel, long bytes) {
    this.number = number;
    this.file = file;
    this.channel = channel;
    this.bytes = bytes;
    this.forces = new GroupCommit(() -> channel.force(false));
  }

  /** A new segment, written over {@code spare} (a retired segment) when there is one. */
  static JournalSegment create(Path file, long number, Path spare) throws IOException {
    boolean reused;
    try {
      Files.move(spare, file, StandardCopyOption.ATOMIC_MOVE);
      reused = true;
    } catch (NoSuchFileException e) {
      reused = false;
    }
    FileChannel channel = reused
        ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)
        : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    ByteBuffer header = ByteBuffer.allocate(8).putInt(SEGMENT_MAGIC).putInt(1).flip();
    while (header.hasRemaining()) {
      channel.write(header, header.position());
    }
    return new JournalSegment(number, file, channel, 8);
  }

  static JournalSegment reopen(Path file, long number) throws IOException {
    JournalSegment segment = new JournalSegment(number, file, FileChannel.open(file, StandardOpenOption.READ), 8);
    segment.isSealed = true;
    return segment;
  }

  /** Where the next record goes: the end of the last complete one. Under the journal's lock. */
  long bytes() {
    return bytes;
  }

  boolean isSealed() {
    return isSealed;
  }

  void seal() throws IOException {
    channel.force(false);
    isSealed = true;
  }

  /** Appends one record at the end of the last complete one (so a failed write leaves no gap). */
  void write(int kind, MessageId id, ByteBuffer content) throws IOException {
    byte[] name = id.value().getBytes(StandardCharsets.US_ASCII);
    // One buffer, so one write: the record costs a single system call under the journal's lock.
    ByteBuffer record = ByteBuffer.allocate(HEADER + name.length + content.remaining() + 4)
        .putInt(kind).putInt(name.length).putInt(content.remaining()).put(name).put(content.duplicate());
    CRC32C crc = checksum();
    crc.update(record.array(), 0, record.position());
    record.putInt((int) crc.getValue()).flip();
    bytes += writeFully(channel, record, bytes);
  }

  /**
   * Adds the place of each message record to {@code queued} and takes out the id of each removal
   * record, in order, up to a torn end.
   */
  void read(Map<MessageId, Located> queued) throws IOException {
    long size = channel.size();
    ByteBuffer header = ByteBuffer.allocate(8);
    if (channel.read(header, 0) < 8 || header.getInt(0) != SEGMENT_MAGIC) {
      log.warn("spool journal: {} has no journal header; ignored", file);
      return;
    }
    long at = 8;
    while (at + HEADER + 4 <= size) {
      ByteBuffer head = readFully(at, HEADER);
      int kind = head.getInt(0);
      int idLength = head.getInt(4);
      int length = head.getInt(8);
      if ((kind != MESSAGE && kind != REMOVAL) || idLength <= 0 || idLength > ID_MAX
          || length < 0 || length > IntakeJournal.RECORD_MAX || at + HEADER + idLength + length + 4 > size) {
        break;
      }
      ByteBuffer rest = readFully(at + HEADER, idLength + length + 4);
      CRC32C crc = checksum();
      crc.update(head);
      crc.update(rest.slice(0, idLength + length));
      if ((int) crc.getValue() != rest.getInt(idLength + length)) {
        break;
      }
      MessageId id = new MessageId(new String(rest.array(), 0, idLength, StandardCharsets.US_ASCII));
      if (kind == REMOVAL) {
        queued.remove(id);
      } else {
        queued.put(id, new Located(id, this, at + HEADER + idLength, length));
      }
      at += HEADER + idLength + length + 4;
    }
    bytes = at;
  }

  /**
   * A record's checksum starts with its segment's number: a segment's file is written over a retired
   * one, whose records beyond the new ones must end the reading, not be taken for this segment's.
   */
  private CRC32C checksum() {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(0, number));
    return crc;
  }

  ByteBuffer readContent(Located message) throws IOException {
    return readFully(message.offset(), message.length());
  }

  private ByteBuffer readFully(long at, int length) throws IOException {
    return readFully(channel, ByteBuffer.allocate(length), at);
  }

  // The JDK copies a heap buffer into a temporary direct buffer of the same size for each read or
  // write, and keeps it per carrier thread: slices keep those at 64 KiB, not the largest record.
  private static final int SLICE = 64 << 10;

  /** Writes all of {@code bytes} at {@code at}, in slices; returns the number written. */
  static int writeFully(FileChannel channel, ByteBuffer bytes, long at) throws IOException {
    int written = 0;
    while (bytes.hasRemaining()) {
      ByteBuffer slice = bytes.slice(bytes.position(), Math.min(bytes.remaining(), SLICE));
      while (slice.hasRemaining()) {
        written += channel.write(slice, at + written);
      }
      bytes.position(bytes.position() + slice.position());
    }
    return written;
  }

  /** Fills {@code buffer} from {@code at}, in slices, and returns it flipped for reading. */
  static ByteBuffer readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
    while (buffer.hasRemaining()) {
      ByteBuffer slice = buffer.slice(buffer.position(), Math.min(buffer.remaining(), SLICE));
      while (slice.hasRemaining()) {
        if (channel.read(slice, at + buffer.position() + slice.position()) < 0) {
          throw new IOException("file " + channel + " ends before " + (at + buffer.limit()));
        }
      }
      buffer.position(buffer.position() + slice.position());
    }
    return buffer.flip();
  }
}
