package relay.core.routing.rule;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import relay.core.policy.ClientNetwork;

/**
 * One condition (or exception) of a mail-flow rule. A closed set: the engine switches over it
 * exhaustively.
 *
 * <p>Recipient conditions ({@link #perRecipient()}) select the subset of recipients they match, and
 * a rule's actions apply to that subset only (like an Apache James matcher); every other condition
 * is about the whole message and selects all recipients or none.
 *
 * <p>Invariant: lists are non-empty immutable copies. Immutable and thread-safe.
 */
public sealed interface Condition {

  /** The envelope sender's whole address matches one of the patterns (never the null sender). */
  record SenderAddress(List<ValuePattern> patterns) implements Condition {
    public SenderAddress {
      patterns = nonEmpty(patterns, "sender address");
    }
  }

  /** The envelope sender's domain matches one of the patterns (never the null sender). */
  record SenderDomain(List<ValuePattern> patterns) implements Condition {
    public SenderDomain {
      patterns = nonEmpty(patterns, "sender domain");
    }
  }

  /** Selects the recipients whose whole address matches one of the patterns. */
  record RecipientAddress(List<ValuePattern> patterns) implements Condition {
    public RecipientAddress {
      patterns = nonEmpty(patterns, "recipient address");
    }
  }

  /** Selects the recipients whose domain matches one of the patterns. */
  record RecipientDomain(List<ValuePattern> patterns) implements Condition {
    public RecipientDomain {
      patterns = nonEmpty(patterns, "recipient domain");
    }
  }

  /** The sender is inside (or outside) the organisation. */
  record SenderLocation(Location location) implements Condition {
    public SenderLocation {
      Objects.requireNonNull(location, "location");
    }
  }

  /** Selects the recipients inside (or outside) the organisation. */
  record RecipientLocation(Location location) implements Condition {
    public RecipientLocation {
      Objects.requireNonNull(location, "location");
    }
  }

  /** The client's address lies in one of the networks. */
  record ClientIn(List<ClientNetwork> networks) implements Condition {
    public ClientIn {
      networks = nonEmpty(networks, "client network");
    }
  }

  /** The message came through one of these inbound connectors (names compared exactly). */
  record InboundConnectorIn(Set<String> names) implements Condition {
    public InboundConnectorIn {
      names = Set.copyOf(nonEmpty(List.copyOf(names), "inbound connector"));
    }
  }

  /** The client authenticated as one of these users (case-insensitive); unauthenticated never matches. */
  record AuthenticatedAs(Set<String> users) implements Condition {
    public AuthenticatedAs {
      users = nonEmpty(List.copyOf(users), "authenticated user").stream()
          .map(u -> u.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());
    }
  }

  /** A field of that name contains one of the words (case-insensitive, encoded-words decoded). */
  record HeaderContains(String name, List<String> words) implements Condition {
    public HeaderContains {
      Objects.requireNonNull(name, "name");
      words = nonEmpty(words, "header word");
    }
  }

  /** A field of that name matches the expression somewhere (encoded-words decoded). */
  record HeaderMatches(String name, ValuePattern.Regex regex) implements Condition {
    public HeaderMatches {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(regex, "regex");
    }
  }

  /** The decoded subject contains one of the words (case-insensitive). */
  record SubjectContains(List<String> words) implements Condition {
    public SubjectContains {
      words = nonEmpty(words, "subject word");
    }
  }

  /** The decoded subject matches the expression somewhere. */
  record SubjectMatches(ValuePattern.Regex regex) implements Condition {
    public SubjectMatches {
      Objects.requireNonNull(regex, "regex");
    }
  }

  /** The message is larger than this many bytes. */
  record SizeOver(long bytes) implements Condition {
    public SizeOver {
      if (bytes < 0) {
        throw new IllegalArgumentException("size must not be negative");
      }
    }
  }

  /**
   * The message has more than this many recipients. At RCPT time the count is of the recipients
   * accepted so far plus the one being evaluated; the count only grows, so the end-of-DATA
   * evaluation sees any match the RCPT evaluation saw.
   */
  record RecipientCountOver(int count) implements Condition {
    public RecipientCountOver {
      if (count < 0) {
        throw new IllegalArgumentException("count must not be negative");
      }
    }
  }

  /** When this condition can be decided. */
  default Phase phase() {
    return switch (this) {
      case SenderAddress c -> Phase.ENVELOPE;
      case SenderDomain c -> Phase.ENVELOPE;
      case RecipientAddress c -> Phase.ENVELOPE;
      case RecipientDomain c -> Phase.ENVELOPE;
      case SenderLocation c -> Phase.ENVELOPE;
      case RecipientLocation c -> Phase.ENVELOPE;
      case ClientIn c -> Phase.ENVELOPE;
      case InboundConnectorIn c -> Phase.ENVELOPE;
      case AuthenticatedAs c -> Phase.ENVELOPE;
      case RecipientCountOver c -> Phase.ENVELOPE;
      case HeaderContains c -> Phase.MESSAGE;
      case HeaderMatches c -> Phase.MESSAGE;
      case SubjectContains c -> Phase.MESSAGE;
      case SubjectMatches c -> Phase.MESSAGE;
      case SizeOver c -> Phase.MESSAGE;
    };
  }

  /** True for conditions that select a subset of the recipients. */
  default boolean perRecipient() {
    return switch (this) {
      case RecipientAddress c -> true;
      case RecipientDomain c -> true;
      case RecipientLocation c -> true;
      case SenderAddress c -> false;
      case SenderDomain c -> false;
      case SenderLocation c -> false;
      case ClientIn c -> false;
      case InboundConnectorIn c -> false;
      case AuthenticatedAs c -> false;
      case RecipientCountOver c -> false;
      case HeaderContains c -> false;
      case HeaderMatches c -> false;
      case SubjectContains c -> false;
      case SubjectMatches c -> false;
      case SizeOver c -> false;
    };
  }

  private static <T> List<T> nonEmpty(List<T> values, String what) {
    List<T> copy = List.copyOf(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a " + what + " condition needs at least one value");
    }
    return copy;
  }
}
