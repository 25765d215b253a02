package relay.core.routing.header;

import java.util.Objects;

/**
 * One change a mail-flow rule makes to the header section. Edits are values, applied in order by
 * {@link HeaderSection#apply}, so the stored body can stay unchanged and the edits be applied when
 * the message is sent (or before commit: both are possible).
 *
 * <p>Invariant: names are RFC 5322 field names (printable ASCII except colon); values contain no
 * line break, so a rule can never inject a field or end the header section. Immutable.
 */
public sealed interface HeaderEdit {

  /** Adds a field at the top of the header section (see {@link HeaderSection#apply} for why). */
  record Add(String name, String value) implements HeaderEdit {
    public Add {
      checkName(name);
      checkValue(value);
    }
  }

  /** Replaces every field of that name by one field with this value (adds it when absent). */
  record Set(String name, String value) implements HeaderEdit {
    public Set {
      checkName(name);
      checkValue(value);
    }
  }

  /** Removes every field of that name. */
  record Remove(String name) implements HeaderEdit {
    public Remove {
      checkName(name);
    }
  }

  /** Puts text before the subject (creating {@code Subject:} when absent), once. */
  record PrependSubject(String prefix) implements HeaderEdit {
    public PrependSubject {
      checkValue(prefix);
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("empty subject prefix");
      }
    }
  }

  /** The edit in words, for traces. */
  default String describe() {
    return switch (this) {
      case Add a -> "add header " + a.name() + ": " + a.value();
      case Set s -> "set header " + s.name() + ": " + s.value();
      case Remove r -> "remove header " + r.name();
      case PrependSubject p -> "prepend subject '" + p.prefix() + "'";
    };
  }

  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || !name.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':')) {
      throw new IllegalArgumentException("invalid header field name: '" + name + "'");
    }
  }

  static void checkValue(String value) {
    Objects.requireNonNull(value, "value");
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf(0) >= 0) {
      throw new IllegalArgumentException("header value contains a line break or NUL");
    }
  }
}
