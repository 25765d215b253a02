package relay.core.routing.header;

import java.util.Locale;
import java.util.Objects;

/**
 * One header field of a message: its name, its unfolded value and, for fields read from a message,
 * the exact original text (with folding) so that untouched fields are written back byte for byte.
 *
 * <p>Invariant: {@code raw} never ends in a line break; {@code value} has no CR or LF. A line that
 * is not a field ({@code name} empty) is kept so nothing is lost, but no lookup matches it.
 * Immutable and thread-safe.
 *
 * @param name the field name as written (compared case-insensitively)
 * @param value the unfolded value with surrounding white space removed
 * @param raw the field as it appears in the message, lines joined by CRLF, without the final CRLF
 */
public record HeaderField(String name, String value, String raw) {

  public HeaderField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(raw, "raw");
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("header value contains a line break");
    }
  }

  /** A new field {@code Name: value}, checked so that a rule can never inject extra lines. */
  public static HeaderField of(String name, String value) {
    HeaderEdit.checkName(name);
    HeaderEdit.checkValue(value);
    return new HeaderField(name, value.strip(), name + ": " + value);
  }

  /** True when this field has the given name (case-insensitive, RFC 5322 section 1.2.2). */
  public boolean is(String fieldName) {
    return !name.isEmpty() && name.toLowerCase(Locale.ROOT).equals(fieldName.toLowerCase(Locale.ROOT));
  }
}
