package relay.core.envelope;

import java.util.Objects;
import java.util.Optional;

/**
 * An SMTP reverse- or forward-path: {@code local@domain}, or the null path {@code <>} used as the
 * sender of delivery status notifications.
 *
 * <p>Invariant: either both parts are present (a mailbox) or both are absent (the null path). The
 * local part is kept exactly as received (it is case-sensitive in principle, RFC 5321 section 2.4);
 * syntax is checked by the command parser, not here.
 */
public record MailPath(String localPart, Domain domain) {

  /** The null reverse-path {@code <>}. */
  public static final MailPath NULL = new MailPath(null, null);

  public MailPath {
    if ((localPart == null) != (domain == null)) {
      throw new IllegalArgumentException("a mail path has both a local part and a domain, or neither");
    }
    if (localPart != null && localPart.isEmpty()) {
      throw new IllegalArgumentException("empty local part");
    }
  }

  /** Parses {@code local@domain} (no angle brackets); the last {@code @} separates the parts. */
  public static MailPath parse(String address) {
    Objects.requireNonNull(address, "address");
    if (address.isEmpty()) {
      return NULL;
    }
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      throw new IllegalArgumentException("not an address: '" + address + "'");
    }
    return new MailPath(address.substring(0, at), new Domain(address.substring(at + 1)));
  }

  public boolean isNull() {
    return localPart == null;
  }

  public Optional<Domain> optionalDomain() {
    return Optional.ofNullable(domain);
  }

  /** The address without angle brackets, or the empty string for the null path. */
  public String address() {
    return isNull() ? "" : localPart + "@" + domain.name();
  }

  /** The address in angle brackets, as written in MAIL FROM / RCPT TO. */
  @Override
  public String toString() {
    return "<" + address() + ">";
  }
}
