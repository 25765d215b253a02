package relay.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * The audit log: one JSON line per state-changing admin call (who, from where, what, on what, with
 * what outcome), written to {@code audit.log} and repeated in {@code relay.log}; actions on a
 * message are also an {@code operator} event in the tracking log. Reading is not audited; refused
 * calls are (with the outcome {@code refused}).
 *
 * <p>Thread-safe: lines go to a thread-safe sink.
 */
public final class AuditLog {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private final Consumer<String> lines;
  private final InstantSource clock;
  private final TrackingLog tracking;
  private final JsonFactory json = new JsonFactory();

  /**
   * @param lines where each JSON line goes (the server's own {@code audit.log})
   * @param tracking where actions on messages are recorded too, so a message's trace shows them
   */
  public AuditLog(Consumer<String> lines, InstantSource clock, TrackingLog tracking) {
    this.lines = lines;
    this.clock = clock;
    this.tracking = tracking;
  }

  /** Records an action on one queued message: here, and in the tracking log as an {@code operator} event. */
  public void message(String who, String from, String action, String id, boolean done, String detail) {
    record(who, from, action, id, done, detail);
    try {
      tracking.record(new TrackingEvent.OperatorAction(clock.instant(), new MessageId(id), action, who, done, detail));
    } catch (IllegalArgumentException e) {
      // not a queue id at all: nothing in the tracking log can be about it
    }
  }

  /**
   * Records one call.
   *
   * @param who the token's name, or {@code -} when none was accepted
   * @param from the caller's address
   * @param action what was asked ({@code retry}, {@code suspend-connector}, ...)
   * @param target the queue id or connector name
   * @param done whether it took effect
   * @param detail the outcome in words
   */
  public void record(String who, String from, String action, String target, boolean done, String detail) {
    StringWriter out = new StringWriter(160);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("at", clock.instant().toString());
      g.writeStringField("operator", who);
      g.writeStringField("from", from);
      g.writeStringField("action", action);
      g.writeStringField("target", target);
      g.writeBooleanField("done", done);
      g.writeStringField("detail", detail);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    lines.accept(out.toString());
    LOG.info("admin: {} from {}: {} {}: {}", who, from, action, target, detail);
  }
}
