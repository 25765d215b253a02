package relay.core.spool;

import java.util.List;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.Recipient;

/**
 * Test aid: writes an envelope record as the releases before typed outcomes did, field by field
 * from the layout they documented (version 2: each recipient's last reply as a string; version 1:
 * version 2 without the connector and require-TLS fields), independently of the codec under test.
 */
final class PreviousReleaseRecord {

  private PreviousReleaseRecord() {}

  /**
   * The record of {@code message} in {@code version} (1 or 2), with {@code lastReplies} (one per
   * recipient, null for none) as the stored reply texts; the states' own reports are ignored.
   */
  static byte[] write(QueuedMessage message, List<String> lastReplies, int version) {
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("only versions 1 and 2 came before");
    }
    RecordOutput out = new RecordOutput();
    Envelope envelope = message.envelope();
    out.u16(version);
    out.str(message.id().value());
    out.i64(message.bodySize());
    out.bool(!envelope.sender().isNull());
    if (!envelope.sender().isNull()) {
      out.str(envelope.sender().localPart());
      out.str(envelope.sender().domain().name());
    }
    MailParameters parameters = envelope.parameters();
    out.i64(parameters.declaredSize());
    out.u8(switch (parameters.body()) {
      case SEVEN_BIT -> 1;
      case EIGHT_BIT_MIME -> 2;
    });
    out.bool(parameters.smtpUtf8());
    out.u8(parameters.dsnReturn() == null ? 0 : switch (parameters.dsnReturn()) {
      case FULL -> 1;
      case HDRS -> 2;
    });
    out.str(parameters.envelopeId());
    ClientInfo client = envelope.client();
    out.str(client.address());
    out.i32(client.port());
    out.str(client.helo());
    out.bool(client.tls());
    out.str(client.inboundConnector());
    out.time(envelope.receivedAt());
    out.i32(message.attempts());
    out.time(message.nextAttemptAt());
    out.i32(message.recipients().size());
    for (int i = 0; i < message.recipients().size(); i++) {
      RecipientState state = message.recipients().get(i);
      Recipient recipient = state.recipient();
      out.str(recipient.address().localPart());
      out.str(recipient.address().domain().name());
      int bits = 0;
      for (var notify : recipient.notifyOn()) {
        bits |= switch (notify) {
          case NEVER -> 1;
          case SUCCESS -> 2;
          case FAILURE -> 4;
          case DELAY -> 8;
        };
      }
      out.u8(bits);
      out.str(recipient.originalRecipient());
      out.u8(switch (state.status()) {
        case PENDING -> 1;
        case DELIVERED -> 2;
        case FAILED -> 3;
        case HELD -> 4;
      });
      out.i32(state.attempts());
      out.str(lastReplies.get(i));
    }
    if (version == 2) {
      out.str(message.connector());
      out.bool(message.requireTls());
    }
    return out.toByteArray();
  }
}
