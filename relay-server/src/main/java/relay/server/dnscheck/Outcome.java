package relay.server.dnscheck;

/**
 * How one check came out, from best to worst for the exit status. {@code INFO} is a fact worth
 * knowing that needs no action; {@code DNS_ERROR} means the check could not be made because DNS did
 * not answer (SERVFAIL, REFUSED, timeout), which is not the same as a missing record.
 */
public enum Outcome {
  PASS, INFO, WARN, FAIL, DNS_ERROR;

  /** The exit status a report whose worst outcome is this one ends with. */
  int exitStatus() {
    return switch (this) {
      case PASS, INFO -> 0;
      case WARN -> 1;
      case FAIL -> 2;
      case DNS_ERROR -> 3;
    };
  }
}
