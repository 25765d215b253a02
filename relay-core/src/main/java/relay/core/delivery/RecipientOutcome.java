package relay.core.delivery;

import java.util.Objects;
import relay.core.envelope.Recipient;

/**
 * What one delivery attempt did for one recipient. {@code detail} is the upstream reply on one line
 * (or the local reason, such as a connection failure) for logs, traces and DSNs.
 */
public sealed interface RecipientOutcome {

  Recipient recipient();

  String detail();

  /** The upstream accepted the recipient and the message. */
  record Delivered(Recipient recipient, String detail) implements RecipientOutcome {
    public Delivered {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Not delivered this time; try again later. */
  record TransientFailure(Recipient recipient, String detail) implements RecipientOutcome {
    public TransientFailure {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Not delivered because the connector is misconfigured (refused credentials, no Send As right,
   * SMTP AUTH disabled, ...): retrying on the normal schedule cannot help and bouncing would lose
   * mail that an operator can still get out. The recipient is held until released; {@code detail}
   * says why.
   */
  record Held(Recipient recipient, String detail) implements RecipientOutcome {
    public Held {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Will never be delivered; the sender is to be told. */
  record PermanentFailure(Recipient recipient, String detail) implements RecipientOutcome {
    public PermanentFailure {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
