package relay.core.reply;

import java.util.ArrayList;
import java.util.List;

/**
 * The one table of replies Relay's SMTP listener sends. Handlers refer to these constants and
 * factories instead of writing reply text themselves, so wording and status codes are reviewed in
 * one place. Texts are deliberately bland: the detail of a refusal goes to the logs, not to the peer.
 *
 * <p>Stateless and immutable; safe from any thread.
 */
public final class Replies {

  private Replies() {}

  // Positive completions.
  public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
  public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Sender ok");
  public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Recipient ok");
  public static final SmtpReply RESET = SmtpReply.of(250, "2.0.0", "Reset");
  public static final SmtpReply HELP = SmtpReply.of(214, "2.0.0", "See RFC 5321");
  public static final SmtpReply VRFY = SmtpReply.of(252, "2.5.0", "Cannot verify the user, but will accept the message");
  public static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");
  public static final SmtpReply START_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
  public static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
  public static final SmtpReply START_DATA = SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>");

  // Transient refusals.
  public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
  public static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0", "Too many connections, try again later");
  public static final SmtpReply TIMEOUT = SmtpReply.of(421, "4.4.2", "Timeout, closing connection");
  public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2", "Service shutting down, closing connection");
  /** A drained node: new connections and new transactions are sent to another host. */
  public static final SmtpReply DRAINED = SmtpReply.of(421, "4.3.2", "Service not available, try another host");
  public static final SmtpReply QUEUE_FAILED = SmtpReply.of(451, "4.3.0", "Local error in processing, try again later");
  public static final SmtpReply SPOOL_FULL = SmtpReply.of(452, "4.3.1", "Insufficient system storage, try again later");
  public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");

  // Permanent refusals.
  public static final SmtpReply UNKNOWN_COMMAND = SmtpReply.of(500, "5.5.1", "Command unrecognized");
  public static final SmtpReply SYNTAX_ERROR = SmtpReply.of(500, "5.5.2", "Syntax error");
  /** RFC 5321 section 4.5.3.1.6 names 500 for both an over-long command line and text line. */
  public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.6", "Line too long");
  public static final SmtpReply ARGUMENT_SYNTAX = SmtpReply.of(501, "5.5.2", "Syntax error in parameters or arguments");
  public static final SmtpReply INVALID_ARGUMENT = SmtpReply.of(501, "5.5.4", "Invalid command arguments");
  public static final SmtpReply BAD_SENDER_SYNTAX = SmtpReply.of(501, "5.1.7", "Bad sender address syntax");
  public static final SmtpReply BAD_RECIPIENT_SYNTAX = SmtpReply.of(501, "5.1.3", "Bad recipient address syntax");
  public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
  public static final SmtpReply BAD_SEQUENCE = SmtpReply.of(503, "5.5.1", "Bad sequence of commands");
  public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Already authenticated");
  public static final SmtpReply AUTH_UNKNOWN_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
  public static final SmtpReply AUTH_BAD_BASE64 = SmtpReply.of(501, "5.5.2", "Cannot decode response");
  public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.0.0", "Authentication cancelled");
  public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
  public static final SmtpReply AUTH_INVALID = SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");
  public static final SmtpReply AUTH_NEEDS_TLS = SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
  public static final SmtpReply TLS_REQUIRED = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
  public static final SmtpReply SENDER_DENIED = SmtpReply.of(550, "5.7.1", "Sender address not allowed");
  public static final SmtpReply RELAY_DENIED = SmtpReply.of(550, "5.7.1", "Relaying denied");
  /**
   * No outbound connector serves the recipient. 550 is RFC 5321's permanent refusal of a RCPT and
   * X.4.4 is RFC 3463's "unable to route"; 554 would speak of the whole transaction instead.
   */
  public static final SmtpReply UNROUTABLE = SmtpReply.of(550, "5.4.4", "Unable to route");
  public static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(550, "5.6.11", "Message contains bare CR or LF line endings");
  public static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit");
  public static final SmtpReply NON_ASCII_ADDRESS = SmtpReply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
  public static final SmtpReply CLIENT_NOT_ALLOWED = SmtpReply.of(554, "5.7.1", "Access denied");
  /** A PROXY protocol header from a client that is not a configured load balancer: it may not name another client. */
  public static final SmtpReply PROXY_NOT_ALLOWED = SmtpReply.of(554, "5.7.1", "PROXY header not accepted from this address");
  public static final SmtpReply UNKNOWN_PARAMETER = SmtpReply.of(555, "5.5.4", "Unsupported MAIL or RCPT parameter");
  /**
   * A BDAT whose size cannot be read, answered before hanging up: the chunk's end cannot be found,
   * so no later command can be either. 521 as Postfix sends it, a permanent reply that closes.
   */
  public static final SmtpReply CHUNK_SYNTAX = SmtpReply.of(521, "5.5.4", "Syntax: BDAT chunk-size [LAST], closing connection");

  /** The connect greeting (no enhanced status: RFC 2034 section 3). */
  /**
   * The message is larger than the outbound connector its recipients route to can carry (Microsoft
   * Graph's request cap): refused at the end of DATA, with the limit, so the sender can act on it.
   */
  public static SmtpReply tooBigForConnector(long limit) {
    return SmtpReply.of(552, "5.3.4", "Message too big for this route: at most " + limit + " bytes");
  }

  public static SmtpReply greeting(String hostName) {
    return SmtpReply.of(220, null, hostName + " ESMTP Relay");
  }

  /** The reply to HELO. */
  public static SmtpReply helo(String hostName) {
    return SmtpReply.of(250, "2.0.0", hostName);
  }

  /**
   * A SASL challenge (RFC 4954 section 4): base64 text, no enhanced status, since the client reads
   * the text as data.
   */
  public static SmtpReply authChallenge(String base64) {
    return SmtpReply.of(334, null, base64);
  }

  /** The reply to EHLO: host name, then one extension per line (no enhanced status). */
  public static SmtpReply ehlo(String hostName, long maxMessageSize, boolean offerStartTls, boolean offerAuth) {
    List<String> lines = new ArrayList<>();
    lines.add(hostName);
    lines.add("PIPELINING");
    lines.add("SIZE " + maxMessageSize);
    lines.add("8BITMIME");
    lines.add("ENHANCEDSTATUSCODES");
    lines.add("SMTPUTF8");
    lines.add("DSN");
    lines.add("CHUNKING");
    if (offerStartTls) {
      lines.add("STARTTLS");
    }
    if (offerAuth) {
      lines.add("AUTH PLAIN LOGIN");
    }
    return new SmtpReply(250, null, lines);
  }

  /** The reply to a BDAT chunk that is not the last (RFC 3030 section 4.2). */
  public static SmtpReply chunkReceived(long octets) {
    return SmtpReply.of(250, "2.0.0", octets + " octets received");
  }

  /** Sent only after the spool's commit returned: the message is on disk. */
  public static SmtpReply queued(String queueId) {
    return SmtpReply.of(250, "2.0.0", "Ok queued as " + queueId);
  }
}
