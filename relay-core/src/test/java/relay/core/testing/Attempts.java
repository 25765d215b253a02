package relay.core.testing;

import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.reply.SmtpReply;

/** Test aid: attempt reports as a transport would make them, without writing out the records. */
public final class Attempts {

  /** The upstream most test replies come from. */
  public static final UpstreamHop MX = UpstreamHop.plain("mx.example.org", "192.0.2.25");

  private Attempts() {}

  /** {@code code status text} from {@link #MX}; {@code status} may be null. */
  public static AttemptReport.Replied reply(int code, String status, String text) {
    return new AttemptReport.Replied(SmtpReply.of(code, status, text), MX);
  }

  /** A reply from {@code hop}. */
  public static AttemptReport.Replied reply(int code, String status, String text, UpstreamHop hop) {
    return new AttemptReport.Replied(SmtpReply.of(code, status, text), hop);
  }

  /** A local reason without a connection. */
  public static AttemptReport.Local local(LocalCause cause, String reason) {
    return new AttemptReport.Local(cause, reason);
  }

  /** The connection was refused: the most common local reason. */
  public static AttemptReport.Local refused() {
    return local(LocalCause.CONNECTION_FAILED, "mx.example.org:25: Connection refused");
  }
}
