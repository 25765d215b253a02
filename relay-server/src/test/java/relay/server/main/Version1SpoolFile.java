package relay.server.main;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Test aid: turns a spool message file written by this release (envelope record version 2) into the
 * file the previous release wrote for the same message: record version 1, which ends before the
 * connector and require-TLS fields, with the trailer's record length and checksums recomputed. The
 * layout is the one documented on {@code relay.core.spool.SpoolFileFormat} and
 * {@code EnvelopeRecordCodec}; a mistake here makes recovery quarantine the file, which the test
 * using it would notice.
 */
final class Version1SpoolFile {

  private static final int TRAILER = 32;
  // A null connector (int length -1) and the require-TLS flag: what version 2 added at the end.
  private static final int VERSION_2_FIELDS = 5;

  private Version1SpoolFile() {}

  static void rewrite(Path messageFile) throws IOException {
    byte[] file = Files.readAllBytes(messageFile);
    ByteBuffer trailer = ByteBuffer.wrap(file, file.length - TRAILER, TRAILER).slice();
    long bodyLength = trailer.getLong(8);
    int recordLength = trailer.getInt(16);
    int body = Math.toIntExact(bodyLength);
    if (body + recordLength + TRAILER != file.length || file[body] != 0 || file[body + 1] != 2) {
      throw new IOException("not a version 2 message file: " + messageFile);
    }
    int v1Length = recordLength - VERSION_2_FIELDS;
    byte[] record = java.util.Arrays.copyOfRange(file, body, body + v1Length);
    record[1] = 1;

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
