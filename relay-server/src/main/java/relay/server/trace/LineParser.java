package relay.server.trace;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses one raw tracking line with Jackson into a {@link TracedEvent}; a line that is not a
 * tracking event (torn by a crash, not JSON, no {@code at} or {@code event}) is empty. Thread-safe
 * (the mapper is only read).
 */
final class LineParser {

  private final ObjectMapper json = new ObjectMapper();

  Optional<TracedEvent> parse(byte[] line, int start, int end) {
    try {
      JsonNode node = json.readTree(line, start, end - start);
      if (!(node instanceof ObjectNode fields) || !fields.path("at").isTextual() || !fields.path("event").isTextual()) {
        return Optional.empty();
      }
      Instant at = Instant.parse(fields.get("at").asText());
      return Optional.of(new TracedEvent(at, fields.get("event").asText(), fields,
          new String(line, start, end - start, StandardCharsets.UTF_8).strip()));
    } catch (JacksonException | DateTimeParseException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // not from a byte array, but declared
    }
  }
}
