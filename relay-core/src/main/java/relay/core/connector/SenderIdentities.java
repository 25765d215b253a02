package relay.core.connector;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import relay.core.envelope.MailPath;

/**
 * The identity table of an {@code smtp-auth} connector: the most specific entry wins (exact
 * address, then {@code *@domain}, then {@code *}); among equally specific ones, the first.
 * Immutable and thread-safe.
 */
public record SenderIdentities(List<SenderIdentity> entries) {

  public SenderIdentities {
    entries = List.copyOf(entries);
  }

  /** The identity to submit {@code sender}'s mail as, or empty when no entry matches it. */
  public Optional<SenderIdentity> forSender(MailPath sender) {
    return entries.stream()
        .filter(e -> e.matches(sender))
        .max(Comparator.comparingInt(SenderIdentity::specificity));
  }
}
