package relay.server.dnscheck;

/** An SPF record that does not parse: a permerror (RFC 7208 4.6); the message names the term. */
final class SpfSyntaxException extends Exception {
  SpfSyntaxException(String message) {
    super(message);
  }
}
