package relay.core.session;

/**
 * Where a SASL exchange (RFC 4954) stands while the server waits for the client's next line.
 * Immutable. The password is never kept: it is checked as soon as it arrives.
 */
public sealed interface PendingAuth {

  /** AUTH PLAIN without an initial response: the next line is the whole PLAIN message. */
  record Plain() implements PendingAuth {}

  /** AUTH LOGIN: the next line is the user name. */
  record LoginUser() implements PendingAuth {}

  /** AUTH LOGIN: the next line is the password of {@code user}. */
  record LoginPassword(String user) implements PendingAuth {}
}
