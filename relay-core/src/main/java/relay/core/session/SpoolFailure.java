package relay.core.session;

import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;

/** Why the spool could not take a message: out of space (452 4.3.1) or any other failure (451 4.3.0). */
public enum SpoolFailure {
  FULL,
  ERROR;

  /** The client's reply: bland, whatever went wrong. */
  SmtpReply reply() {
    return switch (this) {
      case FULL -> Replies.SPOOL_FULL;
      case ERROR -> Replies.QUEUE_FAILED;
    };
  }

  /** The tracking log's reason, for the failed {@code step} ("open", "commit"). */
  String reason(String step) {
    return switch (this) {
      case FULL -> "the spool is below its free-space floor (" + step + ")";
      case ERROR -> "the spool failed to " + step + " the message (see relay.log)";
    };
  }
}
