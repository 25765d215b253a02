package relay.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import relay.core.spool.MessageBody;

/**
 * A message's content as it goes upstream: the spooled bytes, unchanged (headers are never parsed
 * or rewritten here; {@link RewrittenMessage} is the one that edits). Line endings and dot-stuffing
 * are the {@link DataStream}'s business. Used by one thread at a time.
 */
class SpooledMessage {

  private final MessageBody body;

  SpooledMessage(MessageBody body) {
    this.body = body;
  }

  /** Writes the content to {@code out}. */
  void writeTo(OutputStream out) throws IOException {
    // A buffer fitted to the message (InputStream.transferTo takes 16 KiB for every message).
    byte[] buffer = new byte[(int) Math.clamp(body.size(), 512, 16 << 10)];
    try (InputStream in = body.open()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    }
  }

  /** About how many bytes {@link #writeTo} writes: for sizing buffers, not a promise. */
  long sizeHint() {
    return body.size();
  }
}
