package relay.server.outbound.oauth;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON value, as {@link JsonReader} produces it. A closed set; immutable.
 */
public sealed interface JsonValue {

  record Text(String value) implements JsonValue {}

  /** A number kept as its exact decimal value (JSON numbers are not doubles). */
  record Number(BigDecimal value) implements JsonValue {}

  record Bool(boolean value) implements JsonValue {}

  record Null() implements JsonValue {}

  record Array(List<JsonValue> items) implements JsonValue {
    public Array {
      items = List.copyOf(items);
    }
  }

  /** An object; member order is kept so that messages show fields as the peer sent them. */
  record Members(Map<String, JsonValue> members) implements JsonValue {
    public Members {
      members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    }
  }

  /** The value as compact text, for diagnostics (strings without quotes). */
  default String display() {
    return switch (this) {
      case Text t -> t.value();
      case Number n -> n.value().toPlainString();
      case Bool b -> Boolean.toString(b.value());
      case Null ignored -> "null";
      case Array a -> a.items().stream().map(JsonValue::display).toList().toString();
      case Members o -> o.members().toString();
    };
  }
}
