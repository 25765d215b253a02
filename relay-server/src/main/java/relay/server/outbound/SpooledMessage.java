package relay.server.outbound;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import relay.core.spool.MessageBody;

/**
 * A message whose content is the spooled bytes, streamed unchanged: Angus Mail only adds the SMTP
 * dot-stuffing on the wire. Headers are never parsed or rewritten, so the message must be sent with
 * {@code SMTPTransport.sendMessage} on a connected transport (never {@code Transport.send}, which
 * would call {@code saveChanges}). Used by one thread at a time.
 */
class SpooledMessage extends SMTPMessage {

  private final MessageBody body;

  SpooledMessage(Session session, MessageBody body) {
    super(session);
    this.body = body;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    // A buffer fitted to the message (InputStream.transferTo takes 16 KiB for every message).
    byte[] buffer = new byte[(int) Math.clamp(body.size(), 512, 16 << 10)];
    try (InputStream in = body.open()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    }
  }

  @Override
  public void writeTo(OutputStream out, String[] ignoreHeaders) throws IOException {
    writeTo(out);
  }

  @Override
  public int getSize() {
    return body.size() > Integer.MAX_VALUE ? -1 : (int) body.size();
  }

  @Override
  public void saveChanges() throws MessagingException {
    // The spooled content is final; nothing may be regenerated.
  }
}
