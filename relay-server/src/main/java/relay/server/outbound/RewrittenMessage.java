package relay.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import relay.core.connector.SenderRewrite;
import relay.core.routing.header.HeaderSection;
import relay.core.spool.MessageBody;

/**
 * A spooled message sent with its sender rewritten: the header section is read (at most
 * {@link #HEAD_LIMIT} bytes), edited by {@link SenderRewrite}, written, and the rest of the spooled
 * bytes follow unchanged. Used by one thread at a time.
 */
final class RewrittenMessage extends SpooledMessage {

  private static final int HEAD_LIMIT = 256 * 1024;

  private final MessageBody body;
  private final SenderRewrite rewrite;

  RewrittenMessage(MessageBody body, SenderRewrite rewrite) {
    super(body);
    this.body = body;
    this.rewrite = rewrite;
  }

  @Override
  void writeTo(OutputStream out) throws IOException {
    try (InputStream in = body.open()) {
      byte[] head = in.readNBytes(HEAD_LIMIT);
      HeaderSection section = HeaderSection.parse(head);
      out.write(section.apply(rewrite.edits(section)).toBytes());
      if (section.complete()) {
        out.write(new byte[] {'\r', '\n'});
      }
      out.write(head, section.length(), head.length - section.length());
      in.transferTo(out);
    }
  }

  @Override
  long sizeHint() {
    return body.size() + 512; // a rewritten From: or Sender: is rarely much longer
  }
}
