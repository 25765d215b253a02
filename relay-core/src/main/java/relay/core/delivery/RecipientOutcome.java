package relay.core.delivery;

import java.util.Objects;
import relay.core.envelope.Recipient;

/**
 * What one delivery attempt did for one recipient: the verdict (the record type, decided by
 * {@link ReplyClassifier} for replies and local causes alike) and the {@link AttemptReport} it rests
 * on (the upstream reply or local reason, the hop), which the spool, the delivery status
 * notification and the tracking log take their fields from.
 */
public sealed interface RecipientOutcome {

  Recipient recipient();

  AttemptReport report();

  /** The report on one line, for log lines only: {@link AttemptReport#line()}. */
  default String detail() {
    return report().line();
  }

  /** The upstream accepted the recipient and the message. */
  record Delivered(Recipient recipient, AttemptReport report) implements RecipientOutcome {
    public Delivered {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(report, "report");
    }
  }

  /** Not delivered this time; try again later. */
  record TransientFailure(Recipient recipient, AttemptReport report) implements RecipientOutcome {
    public TransientFailure {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(report, "report");
    }
  }

  /**
   * Not delivered because the connector is misconfigured (refused credentials, no Send As right,
   * SMTP AUTH disabled, ...): retrying on the normal schedule cannot help and bouncing would lose
   * mail that an operator can still get out. The recipient is held until released; the report
   * says why.
   */
  record Held(Recipient recipient, AttemptReport report) implements RecipientOutcome {
    public Held {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(report, "report");
    }
  }

  /** Will never be delivered; the sender is to be told. */
  record PermanentFailure(Recipient recipient, AttemptReport report) implements RecipientOutcome {
    public PermanentFailure {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(report, "report");
    }
  }
}
