package relay.core.dsn;

/**
 * The RFC 3464 section 2.3.3 {@code Action} of one recipient in a delivery status notification.
 * Which NOTIFY keyword (RFC 3461 section 4.1) asks for a report with this action is part of the
 * value, so that the decision "does this recipient want to hear about it" lives in one place.
 */
public enum DsnAction {
  /** Will not be delivered: permanent failure or the queue lifetime ran out. */
  FAILED("failed"),
  /** Not delivered yet, still being retried. */
  DELAYED("delayed"),
  /** Delivered to the recipient's mailbox. */
  DELIVERED("delivered"),
  /** Handed to a next hop that does not report success (RFC 3461 section 5.2.2). */
  RELAYED("relayed"),
  /** Delivered to a list or alias and expanded. */
  EXPANDED("expanded");

  private final String fieldValue;

  DsnAction(String fieldValue) {
    this.fieldValue = fieldValue;
  }

  /** The value as written after {@code Action:}. */
  public String fieldValue() {
    return fieldValue;
  }

  /** True for the actions that report a problem (a "negative" DSN). */
  public boolean isTrouble() {
    return switch (this) {
      case FAILED, DELAYED -> true;
      case DELIVERED, RELAYED, EXPANDED -> false;
    };
  }
}
