package relay.core.metrics;

/**
 * Where in an inbound SMTP session a reply refused something: the {@code stage} label of
 * {@code relay_messages_rejected_total} ({@link RelayMetrics#messageRejected}). The label values
 * are part of the documented metrics and never change with a Java rename.
 */
public enum SmtpStage {
  /** At connect time, before or instead of the greeting. */
  CONNECT("connect"),
  /** EHLO or HELO. */
  HELO("helo"),
  /** MAIL FROM. */
  MAIL("mail"),
  /** RCPT TO. */
  RCPT("rcpt"),
  /** DATA, and the end of the message content. */
  DATA("data"),
  /** AUTH and its exchange. */
  AUTH("auth"),
  /** Any other command. */
  COMMAND("command");

  private final String label;

  SmtpStage(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
