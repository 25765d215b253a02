package relay.core.spool;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import relay.core.delivery.AttemptReport;
import relay.core.envelope.BodyType;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Domain;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;

/**
 * The versioned binary form of a {@link QueuedMessage}: the envelope as received plus its delivery
 * state. The one place that knows this format; pure (no I/O), stateless and thread-safe.
 *
 * <p>Version 3, big-endian. Older versions are still read: version 2 stored each recipient's last
 * reply as text ({@code str lastReply}), which is read once into values by
 * {@link LastReplyCodec#legacy}; version 1 is version 2 without the last two fields, and such a
 * message gets a null connector, which the runtime decides at recovery. Only version 3 is written.
 * {@code str} is an int byte length (-1 for null) then UTF-8 bytes;
 * {@code time} is long epoch seconds then int nanos; enums are written as fixed codes, never ordinals,
 * so reordering a Java enum cannot change the meaning of stored mail.
 *
 * <pre>
 * u16 version (3)
 * str id, long bodySize
 * u8 senderPresent, [str localPart, str domain]
 * long declaredSize, u8 body (1=7BIT, 2=8BITMIME), u8 smtpUtf8, u8 ret (0=none, 1=FULL, 2=HDRS),
 *   str envid
 * str clientAddress, int clientPort, str helo, u8 tls, str inboundConnector
 * time receivedAt, int attempts, time nextAttemptAt
 * int recipientCount, then per recipient:
 *   str localPart, str domain, u8 notify bits (1=NEVER 2=SUCCESS 4=FAILURE 8=DELAY), str orcpt,
 *   u8 status (1=PENDING 2=DELIVERED 3=FAILED 4=HELD; 4 was added later, so older
 *   records, which never hold it, still decode unchanged), int attempts,
 *   last reply: since version 3 typed, see {@link LastReplyCodec}; before, str lastReply (text)
 * since version 2: str connector (null: decided by the runtime), u8 requireTls
 * </pre>
 *
 * <p>Decoding is strict: an unknown version, a bad code, a value the domain types reject, a short
 * buffer or trailing bytes all raise {@link CorruptRecordException}.
 */
final class EnvelopeRecordCodec {

  static final int VERSION = 3;

  /** The layout with each recipient's last reply as text, written before outcomes were typed. */
  static final int VERSION_2 = 2;

  /** The first layout, written before messages were split per outbound connector. */
  static final int VERSION_1 = 1;

  private static final int MAX_RECIPIENTS = 1_000_000;

  byte[] encode(QueuedMessage message) {
    RecordOutput out = new RecordOutput();
    Envelope envelope = message.envelope();
    out.u16(VERSION);
    out.str(message.id().value());
    out.i64(message.bodySize());
    MailPath sender = envelope.sender();
    out.bool(!sender.isNull());
    if (!sender.isNull()) {
      out.str(sender.localPart());
      out.str(sender.domain().name());
    }
    MailParameters parameters = envelope.parameters();
    out.i64(parameters.declaredSize());
    out.u8(bodyCode(parameters.body()));
    out.bool(parameters.smtpUtf8());
    out.u8(returnCode(parameters.dsnReturn()));
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
    for (RecipientState state : message.recipients()) {
      Recipient recipient = state.recipient();
      out.str(recipient.address().localPart());
      out.str(recipient.address().domain().name());
      out.u8(notifyBits(recipient.notifyOn()));
      out.str(recipient.originalRecipient());
      out.u8(statusCode(state.status()));
      out.i32(state.attempts());
      LastReplyCodec.write(out, state.lastReply());
    }
    out.str(message.connector());
    out.bool(message.requireTls());
    return out.toByteArray();
  }

  QueuedMessage decode(byte[] record) throws CorruptRecordException {
    ByteBuffer in = ByteBuffer.wrap(record);
    try {
      int version = Short.toUnsignedInt(in.getShort());
      if (version != VERSION && version != VERSION_2 && version != VERSION_1) {
        throw new CorruptRecordException("unknown envelope record version " + version);
      }
      MessageId id = new MessageId(str(in));
      long bodySize = in.getLong();
      MailPath sender = in.get() != 0 ? new MailPath(str(in), new Domain(str(in))) : MailPath.NULL;
      MailParameters parameters =
          new MailParameters(in.getLong(), bodyType(in.get()), in.get() != 0, dsnReturn(in.get()), str(in));
      ClientInfo client = new ClientInfo(str(in), in.getInt(), str(in), in.get() != 0, str(in));
      Instant receivedAt = time(in);
      int attempts = in.getInt();
      Instant nextAttemptAt = time(in);
      int count = in.getInt();
      if (count < 1 || count > MAX_RECIPIENTS) {
        throw new CorruptRecordException("bad recipient count " + count);
      }
      List<Recipient> recipients = new ArrayList<>();
      List<RecipientState> states = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        MailPath address = new MailPath(str(in), new Domain(str(in)));
        Recipient recipient = new Recipient(address, notifySet(in.get()), str(in));
        recipients.add(recipient);
        RecipientStatus status = status(in.get());
        int tried = in.getInt();
        // Versions 1 and 2 kept the reply as text: read into values here, once, and never again.
        AttemptReport last = version >= VERSION ? LastReplyCodec.read(in) : LastReplyCodec.legacy(str(in));
        states.add(new RecipientState(recipient, status, tried, last));
      }
      String connector = null;
      boolean requireTls = false;
      if (version >= VERSION_2) {
        connector = str(in);
        requireTls = in.get() != 0;
      }
      if (in.hasRemaining()) {
        throw new CorruptRecordException(in.remaining() + " unexpected trailing bytes");
      }
      if (bodySize < 0 || attempts < 0) {
        throw new CorruptRecordException("negative size or attempts");
      }
      Envelope envelope = new Envelope(sender, parameters, recipients, client, receivedAt);
      return new QueuedMessage(id, envelope, states, attempts, nextAttemptAt, bodySize, connector, requireTls);
    } catch (BufferUnderflowException e) {
      throw new CorruptRecordException("envelope record is truncated", e);
    } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
      throw new CorruptRecordException("envelope record holds invalid values", e);
    }
  }

  static String str(ByteBuffer in) throws CorruptRecordException {
    int length = in.getInt();
    if (length == -1) {
      return null;
    }
    if (length < 0 || length > in.remaining()) {
      throw new CorruptRecordException("bad string length " + length);
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return RecordOutput.decodeUtf8(bytes);
  }

  private static Instant time(ByteBuffer in) {
    return Instant.ofEpochSecond(in.getLong(), in.getInt());
  }

  private static int bodyCode(BodyType body) {
    return switch (body) {
      case SEVEN_BIT -> 1;
      case EIGHT_BIT_MIME -> 2;
    };
  }

  private static BodyType bodyType(byte code) throws CorruptRecordException {
    return switch (code) {
      case 1 -> BodyType.SEVEN_BIT;
      case 2 -> BodyType.EIGHT_BIT_MIME;
      default -> throw new CorruptRecordException("bad body type code " + code);
    };
  }

  private static int returnCode(DsnReturn dsnReturn) {
    if (dsnReturn == null) {
      return 0;
    }
    return switch (dsnReturn) {
      case FULL -> 1;
      case HDRS -> 2;
    };
  }

  private static DsnReturn dsnReturn(byte code) throws CorruptRecordException {
    return switch (code) {
      case 0 -> null;
      case 1 -> DsnReturn.FULL;
      case 2 -> DsnReturn.HDRS;
      default -> throw new CorruptRecordException("bad RET code " + code);
    };
  }

  private static int notifyBit(DsnNotify notify) {
    return switch (notify) {
      case NEVER -> 1;
      case SUCCESS -> 2;
      case FAILURE -> 4;
      case DELAY -> 8;
    };
  }

  private static int notifyBits(Set<DsnNotify> notifyOn) {
    int bits = 0;
    for (DsnNotify notify : notifyOn) {
      bits |= notifyBit(notify);
    }
    return bits;
  }

  private static Set<DsnNotify> notifySet(byte bits) throws CorruptRecordException {
    if ((bits & ~0x0f) != 0) {
      throw new CorruptRecordException("bad NOTIFY bits " + bits);
    }
    Set<DsnNotify> set = EnumSet.noneOf(DsnNotify.class);
    for (DsnNotify notify : DsnNotify.values()) {
      if ((bits & notifyBit(notify)) != 0) {
        set.add(notify);
      }
    }
    return set;
  }

  private static int statusCode(RecipientStatus status) {
    return switch (status) {
      case PENDING -> 1;
      case DELIVERED -> 2;
      case FAILED -> 3;
      case HELD -> 4;
    };
  }

  private static RecipientStatus status(byte code) throws CorruptRecordException {
    return switch (code) {
      case 1 -> RecipientStatus.PENDING;
      case 2 -> RecipientStatus.DELIVERED;
      case 3 -> RecipientStatus.FAILED;
      case 4 -> RecipientStatus.HELD;
      default -> throw new CorruptRecordException("bad recipient status code " + code);
    };
  }
}
