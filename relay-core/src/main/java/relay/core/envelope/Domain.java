package relay.core.envelope;

import java.util.Locale;
import java.util.Objects;

/**
 * A mail domain as it appears after the {@code @} of an address, or an address literal such as
 * {@code [192.0.2.1]}.
 *
 * <p>Invariant: the stored name is non-empty, has no surrounding whitespace and is lower-cased
 * (domains compare case-insensitively, RFC 5321 section 2.4). Internationalised names are kept as
 * given (U-labels) because SMTPUTF8 sessions may carry them; comparison still ignores case.
 */
public record Domain(String name) {

  public Domain {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || !name.strip().equals(name)) {
      throw new IllegalArgumentException("invalid domain: '" + name + "'");
    }
    name = name.toLowerCase(Locale.ROOT);
  }

  public static Domain of(String name) {
    return new Domain(name);
  }

  /** True for an address literal ({@code [..]}) rather than a name. */
  public boolean isAddressLiteral() {
    return name.startsWith("[");
  }

  @Override
  public String toString() {
    return name;
  }
}
