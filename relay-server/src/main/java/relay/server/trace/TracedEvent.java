package relay.server.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One tracking-log line that a search found: its time and event name, its fields as JSON (names as
 * docs/configuration.md lists them), and the line itself, written out unchanged by {@code --json}.
 * Immutable in use (the fields are never changed after parsing); safe to hand to another thread.
 *
 * @param at the line's {@code at}
 * @param event the line's {@code event} ({@code received}, {@code delivered}, ...)
 * @param fields every field of the line
 * @param line the line as read (one JSON object, no line break)
 */
public record TracedEvent(Instant at, String event, ObjectNode fields, String line) {

  public TracedEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(line, "line");
  }

  /** A field's text, or null when absent or null (numbers and booleans as text). */
  public String text(String name) {
    JsonNode node = fields.get(name);
    return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
  }

  /** A field that is an object ({@code tls}), or null. */
  public JsonNode object(String name) {
    JsonNode node = fields.get(name);
    return node != null && node.isObject() ? node : null;
  }

  /** The session id (inbound events), or null. */
  public String session() {
    return text("session");
  }

  /** The queue id (routed and delivery events, held, dsn-queued), or null. */
  public String id() {
    return text("id");
  }

  /** The addresses the event is about: {@code recipient}, or every one of {@code recipients}. */
  public List<String> recipients() {
    String one = text("recipient");
    if (one != null) {
      return List.of(one);
    }
    JsonNode many = fields.get("recipients");
    if (many == null || !many.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(many.size());
    many.forEach(r -> out.add(r.asText()));
    return out;
  }

  /** Whether the event is one delivery attempt's outcome for one recipient. */
  public boolean isDelivery() {
    return switch (event) {
      case "delivered", "deferred", "failed", "expired" -> true;
      case "held" -> fields.has("recipient");
      default -> false;
    };
  }
}
