package relay.core.spool;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A growable big-endian byte sink for {@link EnvelopeRecordCodec}, plus strict UTF-8 decoding.
 * Not thread-safe: one per encoding.
 */
final class RecordOutput {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
  private final ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES);

  void u8(int value) {
    bytes.write(value);
  }

  void bool(boolean value) {
    u8(value ? 1 : 0);
  }

  void u16(int value) {
    bytes.write(value >>> 8);
    bytes.write(value);
  }

  void i32(int value) {
    scratch.clear();
    bytes.write(scratch.putInt(value).array(), 0, Integer.BYTES);
  }

  void i64(long value) {
    scratch.clear();
    bytes.write(scratch.putLong(value).array(), 0, Long.BYTES);
  }

  void time(Instant instant) {
    i64(instant.getEpochSecond());
    i32(instant.getNano());
  }

  void str(String value) {
    if (value == null) {
      i32(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    i32(utf8.length);
    bytes.write(utf8, 0, utf8.length);
  }

  byte[] toByteArray() {
    return bytes.toByteArray();
  }

  /** Decodes UTF-8, rejecting malformed input instead of silently replacing it. */
  static String decodeUtf8(byte[] utf8) throws CorruptRecordException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptRecordException("malformed UTF-8 in envelope record", e);
    }
  }
}
