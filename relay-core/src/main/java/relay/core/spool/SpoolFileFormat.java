package relay.core.spool;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import relay.core.envelope.MessageId;

/**
 * The layout of the two kinds of spool file, and their verification on read.
 *
 * <p>A message file ({@code <id>.msg}) is {@code body | record | trailer}; a state file ({@code
 * <id>.state}) is {@code record | trailer} with a body length of 0. The record is an {@link
 * EnvelopeRecordCodec} record. The trailer is fixed-size and comes last, so a file cut short anywhere
 * loses its trailer or fails its length check:
 *
 * <pre>
 * offset size
 *  0     4    magic: "RLYM" (message file) or "RLYS" (state file)
 *  4     2    layout version (1)
 *  6     2    reserved, 0
 *  8     8    body length in bytes
 * 16     4    record length in bytes
 * 20     4    CRC32C of the body
 * 24     4    CRC32C of the record
 * 28     4    CRC32C of trailer bytes 0..27
 * </pre>
 *
 * A file is trusted only when it is exactly {@code body + record + 32} bytes long, every field and
 * checksum matches, the record decodes, and the record's id (and body size, for message files) agree
 * with the file name and the trailer. Anything else is a {@link CorruptRecordException}; plain
 * {@link IOException}s are real I/O failures, not evidence of a torn file.
 *
 * <p>Threading: stateless apart from the (stateless) codec; thread-safe.
 */
final class SpoolFileFormat {

  static final int TRAILER_BYTES = 32;
  static final int MESSAGE_MAGIC = 0x524C594D;
  static final int STATE_MAGIC = 0x524C5953;
  static final int LAYOUT_VERSION = 1;

  // A record this large is not an envelope; refuse before allocating for it.
  private static final int MAX_RECORD_BYTES = 64 << 20;
  private static final int CHUNK = 64 << 10;

  private final EnvelopeRecordCodec codec;

  SpoolFileFormat(EnvelopeRecordCodec codec) {
    this.codec = codec;
  }

  /** Record and trailer that follow a body of {@code bodyLength} bytes with checksum {@code bodyCrc}. */
  ByteBuffer messageTail(QueuedMessage message, long bodyLength, int bodyCrc) {
    return tail(MESSAGE_MAGIC, codec.encode(message), bodyLength, bodyCrc);
  }

  /** The whole content of a state file (no body; the CRC32C of no bytes is 0). */
  ByteBuffer stateFile(QueuedMessage message) {
    return tail(STATE_MAGIC, codec.encode(message), 0, 0);
  }

  /** Reads and verifies a message file, including the checksum of the whole body. */
  QueuedMessage readMessage(Path file, MessageId id) throws IOException {
    return read(file, MESSAGE_MAGIC, id);
  }

  /** Reads and verifies a state file. */
  QueuedMessage readState(Path file, MessageId id) throws IOException {
    return read(file, STATE_MAGIC, id);
  }

  private ByteBuffer tail(int magic, byte[] record, long bodyLength, int bodyCrc) {
    ByteBuffer buffer = ByteBuffer.allocate(record.length + TRAILER_BYTES);
    buffer.put(record);
    int trailerStart = buffer.position();
    buffer.putInt(magic).putShort((short) LAYOUT_VERSION).putShort((short) 0);
    buffer.putLong(bodyLength).putInt(record.length).putInt(bodyCrc).putInt(crc(record, 0, record.length));
    buffer.putInt(crc(buffer.array(), trailerStart, TRAILER_BYTES - Integer.BYTES));
    return buffer.flip();
  }

  /**
   * Reads a message's or state file's record, checking the trailer and the record's checksum but not
   * the body's: for taking up a message recovery has already verified (or this run wrote).
   */
  QueuedMessage readRecord(Path file, int magic, MessageId id) throws IOException {
    return read(file, magic, id, false);
  }

  private QueuedMessage read(Path file, int magic, MessageId id) throws IOException {
    return read(file, magic, id, true);
  }

  private QueuedMessage read(Path file, int magic, MessageId id, boolean verifyBody) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      if (fileSize < TRAILER_BYTES) {
        throw new CorruptRecordException("file too short for a trailer: " + fileSize + " bytes");
      }
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
      readFully(channel, trailer, fileSize - TRAILER_BYTES);
      byte[] trailerBytes = trailer.array();
      if (crc(trailerBytes, 0, TRAILER_BYTES - Integer.BYTES) != trailer.getInt(28)) {
        throw new CorruptRecordException("trailer checksum mismatch");
      }
      if (trailer.getInt(0) != magic) {
        throw new CorruptRecordException("wrong magic");
      }
      int version = Short.toUnsignedInt(trailer.getShort(4));
      if (version != LAYOUT_VERSION) {
        throw new CorruptRecordException("unknown layout version " + version);
      }
      long bodyLength = trailer.getLong(8);
      int recordLength = trailer.getInt(16);
      if (bodyLength < 0
          || recordLength < 0
          || recordLength > MAX_RECORD_BYTES
          || (magic == STATE_MAGIC && bodyLength != 0)
          || bodyLength + recordLength + TRAILER_BYTES != fileSize) {
        throw new CorruptRecordException("lengths do not add up to the file size " + fileSize);
      }
      ByteBuffer record = ByteBuffer.allocate(recordLength);
      readFully(channel, record, bodyLength);
      if (crc(record.array(), 0, recordLength) != trailer.getInt(24)) {
        throw new CorruptRecordException("record checksum mismatch");
      }
      if (verifyBody && bodyCrc(channel, bodyLength) != trailer.getInt(20)) {
        throw new CorruptRecordException("body checksum mismatch");
      }
      QueuedMessage message = codec.decode(record.array());
      if (!message.id().equals(id)) {
        throw new CorruptRecordException("record is for " + message.id() + ", file is for " + id);
      }
      if (magic == MESSAGE_MAGIC && message.bodySize() != bodyLength) {
        throw new CorruptRecordException("record body size disagrees with the trailer");
      }
      return message;
    }
  }

  private static int bodyCrc(FileChannel channel, long bodyLength) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(bodyLength, 1)));
    long position = 0;
    while (position < bodyLength) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), bodyLength - position));
      readFully(channel, chunk, position);
      position += chunk.limit();
      crc.update(chunk.array(), 0, chunk.limit());
    }
    return (int) crc.getValue();
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        throw new EOFException("file ended early");
      }
      at += read;
    }
    buffer.flip();
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
