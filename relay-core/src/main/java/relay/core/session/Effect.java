package relay.core.session;

import java.util.Objects;
import relay.core.envelope.Envelope;
import relay.core.policy.BareLineEndings;

/**
 * Something the session asks its adapter to do; the session itself never touches a socket, a thread
 * or the spool. The adapter carries out the effects of a {@link Transition} in order, after writing
 * its replies, and reports the outcome back as the next input.
 */
public sealed interface Effect {

  /**
   * Open a spool transaction for the message whose DATA was just accepted; answer with
   * {@link SmtpSession#spoolOpened} or {@link SmtpSession#spoolFailed}.
   */
  record OpenMessage() implements Effect {}

  /**
   * Switch the connection to DATA mode: write {@code receivedHeader} to the spool first, then feed
   * raw bytes to a {@link MessageContentDecoder} built from these settings until it finishes, and
   * answer with {@link SmtpSession#dataEnd}.
   */
  record BeginData(byte[] receivedHeader, long maxMessageSize, int maxTextLine, BareLineEndings bareLineEndings)
      implements Effect {
    public BeginData {
      receivedHeader = receivedHeader.clone();
      Objects.requireNonNull(bareLineEndings, "bareLineEndings");
    }

    @Override
    public byte[] receivedHeader() {
      return receivedHeader.clone();
    }

    public MessageContentDecoder decoder() {
      return new MessageContentDecoder(maxMessageSize, maxTextLine, bareLineEndings);
    }
  }

  /** Discard the open spool transaction: the message was refused at end of DATA. */
  record AbandonMessage() implements Effect {}

  /**
   * Commit the spool transaction with this envelope; answer with {@link SmtpSession#committed} or
   * {@link SmtpSession#commitFailed}.
   */
  record Commit(Envelope envelope) implements Effect {
    public Commit {
      Objects.requireNonNull(envelope, "envelope");
    }
  }

  /**
   * Install TLS (the 220 reply goes out in plain text first), discard any bytes the client pipelined
   * after STARTTLS, and answer with {@link SmtpSession#tlsEstablished} once the handshake is done.
   */
  record UpgradeTls() implements Effect {}

  /** Flush the replies and close the connection; the session accepts no more input. */
  record Close() implements Effect {}
}
