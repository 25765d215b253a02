package relay.core.session;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-session limits of an inbound connector.
 *
 * @param maxMessageSize largest message accepted, in octets (advertised in SIZE)
 * @param maxRecipients most recipients per message; RCPT beyond gets {@code 452 4.5.3}
 * @param maxErrors most failed commands per session before it is closed with {@code 421 4.7.0}
 * @param maxCommandLine longest command line in octets including CRLF (RFC 5321: at least 512)
 * @param maxTextLine longest message text line in octets including CRLF (RFC 5321: at least 1000)
 * @param idleTimeout how long to wait for a command
 * @param dataTimeout how long to wait for the next chunk of message content
 * @param maxJunkCommands commands that move no mail (NOOP, RSET, VRFY, HELP, HELO/EHLO) allowed
 *     before each further one counts as a failed command; the count starts again when a message is queued
 */
public record SessionLimits(
    long maxMessageSize,
    int maxRecipients,
    int maxErrors,
    int maxCommandLine,
    int maxTextLine,
    Duration idleTimeout,
    Duration dataTimeout,
    int maxJunkCommands) {

  /** The junk-command limit when none is configured (Postfix's default too). */
  public static final int DEFAULT_JUNK_COMMANDS = 100;

  /** Defaults: 50 MiB, 500 recipients, 10 errors, 4096-octet commands, 64 KiB text lines, 5 min, 10 min, 100 junk. */
  public static final SessionLimits DEFAULTS =
      new SessionLimits(50L * 1024 * 1024, 500, 10, 4096, 65536, Duration.ofMinutes(5), Duration.ofMinutes(10));

  /** Limits with the default junk-command limit. */
  public SessionLimits(long maxMessageSize, int maxRecipients, int maxErrors, int maxCommandLine, int maxTextLine,
      Duration idleTimeout, Duration dataTimeout) {
    this(maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine, idleTimeout, dataTimeout,
        DEFAULT_JUNK_COMMANDS);
  }

  public SessionLimits {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(dataTimeout, "dataTimeout");
    if (maxMessageSize <= 0 || maxRecipients <= 0 || maxErrors <= 0 || maxJunkCommands <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (maxCommandLine < 512) {
      throw new IllegalArgumentException("command line limit below RFC 5321's 512 octets");
    }
    if (maxTextLine < 1000) {
      throw new IllegalArgumentException("text line limit below RFC 5321's 1000 octets");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero() || dataTimeout.isNegative() || dataTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }
}
