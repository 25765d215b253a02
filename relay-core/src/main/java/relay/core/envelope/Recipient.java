package relay.core.envelope;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One forward-path with its RFC 3461 DSN parameters.
 *
 * <p>{@code notifyOn} is empty when the client gave no NOTIFY (the default then applies: failures and
 * delays); {@code originalRecipient} is the ORCPT value as received ({@code addr-type;xtext}), or
 * null.
 */
public record Recipient(MailPath address, Set<DsnNotify> notifyOn, String originalRecipient) {

  public Recipient {
    Objects.requireNonNull(address, "address");
    if (address.isNull()) {
      throw new IllegalArgumentException("a recipient cannot be the null path");
    }
    notifyOn = notifyOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifyOn));
  }

  public static Recipient of(MailPath address) {
    return new Recipient(address, Set.of(), null);
  }
}
