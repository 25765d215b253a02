package relay.core.spool;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * The binary form of a recipient's last {@link AttemptReport} inside an envelope record (version 3
 * and later), and the one reading of the text form that versions 1 and 2 stored instead. Part of
 * {@link EnvelopeRecordCodec}; same conventions (big-endian, {@code str} = int length or -1 then
 * UTF-8, fixed codes instead of ordinals). Stateless and thread-safe.
 *
 * <pre>
 * u8 kind (0 = none, 1 = reply, 2 = local)
 *   reply: u16 code, u8 status class (0 = no enhanced status), [u16 subject, u16 detail],
 *          int lineCount, str line...
 *   local: u8 cause (see causeCode), str reason
 * then, for kinds 1 and 2: u8 hopPresent, [str name, str address, str login,
 *   u8 tlsPresent, [str protocol, str cipherSuite, str verifiedName]]
 * </pre>
 */
final class LastReplyCodec {

  private static final int MAX_LINES = 1000;

  // What SmtpReply.toString wrote in versions 1 and 2: "550 5.1.1 text / more text".
  private static final Pattern LEGACY_REPLY =
      Pattern.compile("([2-5]\\d\\d) (?:([245]\\.\\d{1,3}\\.\\d{1,3}) )?(\\S.*)", Pattern.DOTALL);

  private LastReplyCodec() {}

  static void write(RecordOutput out, AttemptReport report) {
    if (report == null) {
      out.u8(0);
      return;
    }
    switch (report) {
      case AttemptReport.Replied replied -> {
        out.u8(1);
        SmtpReply reply = replied.reply();
        out.u16(reply.code());
        EnhancedStatus status = reply.status();
        out.u8(status == null ? 0 : status.statusClass());
        if (status != null) {
          out.u16(status.subject());
          out.u16(status.detail());
        }
        out.i32(reply.lines().size());
        reply.lines().forEach(out::str);
      }
      case AttemptReport.Local local -> {
        out.u8(2);
        out.u8(causeCode(local.cause()));
        out.str(local.reason());
      }
    }
    UpstreamHop hop = report.hop();
    out.bool(hop != null);
    if (hop != null) {
      out.str(hop.name());
      out.str(hop.address());
      out.str(hop.login());
      out.bool(hop.tls() != null);
      if (hop.tls() != null) {
        out.str(hop.tls().protocol());
        out.str(hop.tls().cipherSuite());
        out.str(hop.tls().verifiedName());
      }
    }
  }

  static AttemptReport read(ByteBuffer in) throws CorruptRecordException {
    int kind = in.get();
    if (kind == 0) {
      return null;
    }
    return switch (kind) {
      case 1 -> {
        int code = Short.toUnsignedInt(in.getShort());
        int statusClass = in.get();
        EnhancedStatus status = statusClass == 0
            ? null
            : new EnhancedStatus(statusClass, Short.toUnsignedInt(in.getShort()), Short.toUnsignedInt(in.getShort()));
        int count = in.getInt();
        if (count < 1 || count > MAX_LINES) {
          throw new CorruptRecordException("bad reply line count " + count);
        }
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          lines.add(EnvelopeRecordCodec.str(in));
        }
        yield new AttemptReport.Replied(new SmtpReply(code, status, lines), hop(in));
      }
      case 2 -> new AttemptReport.Local(cause(in.get()), EnvelopeRecordCodec.str(in), hop(in));
      default -> throw new CorruptRecordException("bad last reply kind " + kind);
    };
  }

  /**
   * What a version 1 or 2 record stored as text, read once into values: an SMTP reply as
   * {@code SmtpReply.toString()} wrote it ({@code 550 5.1.1 text}) becomes that reply, kept as one
   * line of text; anything else was a local reason, whose kind was never recorded
   * ({@link LocalCause#UNCLASSIFIED}). Neither knows its hop: old records never stored it.
   */
  static AttemptReport legacy(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = LEGACY_REPLY.matcher(text);
    if (m.matches()) {
      EnhancedStatus status = m.group(2) == null ? null : EnhancedStatus.parse(m.group(2));
      return new AttemptReport.Replied(new SmtpReply(Integer.parseInt(m.group(1)), status, List.of(m.group(3))));
    }
    return new AttemptReport.Local(LocalCause.UNCLASSIFIED, text);
  }

  private static UpstreamHop hop(ByteBuffer in) throws CorruptRecordException {
    if (in.get() == 0) {
      return null;
    }
    String name = EnvelopeRecordCodec.str(in);
    String address = EnvelopeRecordCodec.str(in);
    String login = EnvelopeRecordCodec.str(in);
    UpstreamHop.Tls tls = in.get() == 0
        ? null
        : new UpstreamHop.Tls(EnvelopeRecordCodec.str(in), EnvelopeRecordCodec.str(in), EnvelopeRecordCodec.str(in));
    return new UpstreamHop(name, address, tls, login);
  }

  private static int causeCode(LocalCause cause) {
    return switch (cause) {
      case FOLDER_WRITTEN -> 1;
      case CONNECTION_FAILED -> 2;
      case CONNECTION_LOST -> 3;
      case DNS_FAILED -> 4;
      case NO_SUCH_DOMAIN -> 5;
      case NULL_MX -> 6;
      case TLS_UNAVAILABLE -> 7;
      case TLS_FAILED -> 8;
      case CREDENTIAL_UNAVAILABLE -> 9;
      case PACED -> 10;
      case MISCONFIGURED -> 11;
      case LOCAL_ERROR -> 12;
      case UNCLASSIFIED -> 13;
    };
  }

  private static LocalCause cause(byte code) throws CorruptRecordException {
    return switch (code) {
      case 1 -> LocalCause.FOLDER_WRITTEN;
      case 2 -> LocalCause.CONNECTION_FAILED;
      case 3 -> LocalCause.CONNECTION_LOST;
      case 4 -> LocalCause.DNS_FAILED;
      case 5 -> LocalCause.NO_SUCH_DOMAIN;
      case 6 -> LocalCause.NULL_MX;
      case 7 -> LocalCause.TLS_UNAVAILABLE;
      case 8 -> LocalCause.TLS_FAILED;
      case 9 -> LocalCause.CREDENTIAL_UNAVAILABLE;
      case 10 -> LocalCause.PACED;
      case 11 -> LocalCause.MISCONFIGURED;
      case 12 -> LocalCause.LOCAL_ERROR;
      case 13 -> LocalCause.UNCLASSIFIED;
      default -> throw new CorruptRecordException("bad local cause code " + code);
    };
  }
}
