package relay.server.outbound.oauth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON parser (RFC 8259) for the token endpoint's replies and, in tests, for JWT
 * parts. Strict means: one top-level object, no trailing text, no duplicate member names, no
 * control characters in strings, no leading zeros, bounded nesting. Anything else is an {@link
 * IllegalArgumentException} naming the offset, never echoing the input (it may hold a token).
 *
 * <p>One instance parses one text; not thread-safe; use {@link #parseObject(String)}.
 */
public final class JsonReader {

  private static final int MAX_DEPTH = 16;

  private final String text;
  private int pos;

  private JsonReader(String text) {
    this.text = text;
  }

  /** Parses a text that must be exactly one JSON object. */
  public static Map<String, JsonValue> parseObject(String text) {
    JsonReader reader = new JsonReader(text);
    reader.skipSpace();
    if (reader.peek() != '{') {
      throw reader.error("expected an object");
    }
    JsonValue.Members object = (JsonValue.Members) reader.value(0);
    reader.skipSpace();
    if (reader.pos != text.length()) {
      throw reader.error("text after the object");
    }
    return object.members();
  }

  private JsonValue value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested too deeply");
    }
    skipSpace();
    char c = peek();
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> new JsonValue.Text(string());
      case 't' -> literal("true", new JsonValue.Bool(true));
      case 'f' -> literal("false", new JsonValue.Bool(false));
      case 'n' -> literal("null", new JsonValue.Null());
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character");
      }
    };
  }

  private JsonValue object(int depth) {
    pos++;
    Map<String, JsonValue> members = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return new JsonValue.Members(members);
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      String name = string();
      skipSpace();
      expect(':');
      if (members.put(name, value(depth + 1)) != null) {
        throw error("duplicate member name");
      }
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else {
        expect('}');
        return new JsonValue.Members(members);
      }
    }
  }

  private JsonValue array(int depth) {
    pos++;
    List<JsonValue> items = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return new JsonValue.Array(items);
    }
    while (true) {
      items.add(value(depth + 1));
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else {
        expect(']');
        return new JsonValue.Array(items);
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(hex4());
        default -> throw error("bad escape");
      }
    }
  }

  private char hex4() {
    if (pos + 4 > text.length()) {
      throw error("short unicode escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos++), 16);
      if (d < 0) {
        throw error("bad unicode escape");
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private JsonValue number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else {
      digits();
    }
    if (peek() == '.') {
      pos++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      digits();
    }
    return new JsonValue.Number(new BigDecimal(text.substring(start, pos)));
  }

  private void digits() {
    int start = pos;
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
    if (pos == start) {
      throw error("expected a digit");
    }
  }

  private JsonValue literal(String word, JsonValue value) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected word");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  /** The current character, or NUL at the end (NUL cannot start or continue any JSON token). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(pos++);
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed JSON at offset " + pos + ": " + what);
  }
}
