package relay.core.tracking;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP protocol log: one record per line exchanged in an inbound or outbound session, written to
 * a record sink: the server's own rolling {@code protocol.log}, or the {@code relay.protocol} logger.
 *
 * <p>Callers pass lines that are already redacted: AUTH payloads and secrets never reach this
 * class. Thread-safe.
 */
public final class ProtocolLog {

  /** Which way a line went, seen from Relay. */
  public enum Direction {
    /** Read from the peer. */
    IN,
    /** Written to the peer. */
    OUT,
    /** A note about the session (connect, TLS established, close). */
    EVENT
  }

  private final Consumer<String> records;
  private final BooleanSupplier enabled;

  /** Writes to the SLF4J logger {@code relay.protocol} (tests and tools). */
  public ProtocolLog() {
    this(LoggerFactory.getLogger("relay.protocol"));
  }

  ProtocolLog(Logger log) {
    this(log::info, log::isInfoEnabled);
  }

  /**
   * Hands each record to {@code records} (the server's own protocol log file, which adds the time):
   * a busy relay writes about 25 records per message, too many to pay a logging framework's
   * per-event cost for.
   */
  public ProtocolLog(Consumer<String> records) {
    this(records, () -> true);
  }

  private ProtocolLog(Consumer<String> records, BooleanSupplier enabled) {
    this.records = records;
    this.enabled = enabled;
  }

  /**
   * Records one line.
   *
   * @param session the session id (shared by every line of one connection)
   * @param connector the inbound or outbound connector name
   * @param local the local endpoint ({@code ip:port})
   * @param remote the remote endpoint ({@code ip:port})
   * @param direction which way the line went
   * @param line the line without its CRLF
   */
  public void line(String session, String connector, String local, String remote, Direction direction, String line) {
    if (enabled.getAsBoolean()) {
      // Built here rather than with "{}" placeholders: the logger's placeholder formatting, run for
      // every SMTP line, showed up in profiles; a plain concatenation is a fraction of its cost.
      String clean = sanitize(line);
      StringBuilder record = new StringBuilder(session.length() + connector.length() + local.length()
          + remote.length() + clean.length() + 12);
      record.append(session).append(' ').append(connector).append(' ').append(local).append(' ')
          .append(remote).append(' ').append(direction.name()).append(' ').append(clean);
      records.accept(record.toString());
    }
  }

  /** Keeps one record per line even if a peer sent control characters. */
  private static String sanitize(String line) {
    StringBuilder out = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (out == null) {
          out = new StringBuilder(line.length() + 8).append(line, 0, i);
        }
        out.append(String.format("\\x%02x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? line : out.toString();
  }
}
