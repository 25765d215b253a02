package relay.server.main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Test aid: turns a spool message file written by this release (envelope record version 3) for a
 * message with one recipient that was never attempted into the file the first release wrote for
 * the same message: record version 1, which ends before the connector and require-TLS fields and
 * keeps the recipient's last reply as a string (here none: length -1) where version 3 has a typed
 * value (here none: one 0 byte), with the trailer's record length and checksums recomputed. The
 * layout is the one documented on {@code relay.core.spool.SpoolFileFormat} and
 * {@code EnvelopeRecordCodec}; a mistake here makes recovery quarantine the file, which the test
 * using it would notice.
 */
final class Version1SpoolFile {

  private static final int TRAILER = 32;
  // A null connector (int length -1) and the require-TLS flag: what version 2 added at the end.
  private static final int VERSION_2_FIELDS = 5;
  // Version 3's "no last reply" (kind 0) and version 1's (a null string: int length -1).
  private static final byte[] NO_REPLY_V3 = {0};
  private static final byte[] NO_REPLY_V1 = {-1, -1, -1, -1};

  private Version1SpoolFile() {}

  static void rewrite(Path messageFile) throws IOException {
    byte[] file = Files.readAllBytes(messageFile);
    ByteBuffer trailer = ByteBuffer.wrap(file, file.length - TRAILER, TRAILER).slice();
    long bodyLength = trailer.getLong(8);
    int recordLength = trailer.getInt(16);
    int body = Math.toIntExact(bodyLength);
    if (body + recordLength + TRAILER != file.length || file[body] != 0 || file[body + 1] != 3) {
      throw new IOException("not a version 3 message file: " + messageFile);
    }
    // The one recipient's last reply is the last field before the version 2 fields.
    int lastReply = body + recordLength - VERSION_2_FIELDS - NO_REPLY_V3.length;
    if (file[lastReply] != NO_REPLY_V3[0]) {
      throw new IOException("the message was attempted already: " + messageFile);
    }
    ByteArrayOutputStream v1 = new ByteArrayOutputStream();
    v1.write(file, body, lastReply - body);
    v1.write(NO_REPLY_V1);
    byte[] record = v1.toByteArray();
    record[1] = 1;
    int v1Length = record.length;

    ByteBuffer out = ByteBuffer.allocate(body + v1Length + TRAILER);
    out.put(file, 0, body).put(record);
    byte[] newTrailer = new byte[TRAILER];
    ByteBuffer t = ByteBuffer.wrap(newTrailer);
    t.put(file, file.length - TRAILER, 16);
    t.putInt(16, v1Length);
    t.putInt(20, trailer.getInt(20));
    t.putInt(24, crc(record, 0, record.length));
    t.putInt(28, crc(newTrailer, 0, 28));
    out.put(newTrailer);
    Files.write(messageFile, out.array());
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }
}
