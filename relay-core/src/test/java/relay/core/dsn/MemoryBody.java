package relay.core.dsn;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import relay.core.spool.MessageBody;

/** A spooled body held in memory, for tests. */
record MemoryBody(byte[] bytes) implements MessageBody {

  static MemoryBody of(String content) {
    return new MemoryBody(content.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public long size() {
    return bytes.length;
  }

  @Override
  public InputStream open() {
    return new ByteArrayInputStream(bytes);
  }
}
