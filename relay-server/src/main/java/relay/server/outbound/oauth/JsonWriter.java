package relay.server.outbound.oauth;

/**
 * Writes one flat JSON object member by member, escaping strings as RFC 8259 requires. Enough for a
 * JWT header and claims set, and for the fake token endpoint's replies in tests.
 *
 * <p>Call order: members, then {@link #toString()}. Not thread-safe; one object per instance.
 */
public final class JsonWriter {

  private final StringBuilder out = new StringBuilder("{");

  public JsonWriter string(String name, String value) {
    name(name);
    quote(value);
    return this;
  }

  public JsonWriter number(String name, long value) {
    name(name);
    out.append(value);
    return this;
  }

  /** An array of numbers (Microsoft's {@code error_codes}). */
  public JsonWriter numbers(String name, long... values) {
    name(name);
    out.append('[');
    for (int i = 0; i < values.length; i++) {
      out.append(i == 0 ? "" : ",").append(values[i]);
    }
    out.append(']');
    return this;
  }

  private void name(String name) {
    if (out.length() > 1) {
      out.append(',');
    }
    quote(name);
    out.append(':');
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out + "}";
  }
}
