package relay.core.routing.rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderEdit;

/**
 * The outcome of the rules for a whole message at the end of DATA: either a rejection of the whole
 * message (the reply to send instead of 250), or a fate for every recipient (original and added),
 * from which {@link #parts()} groups the copies to send.
 *
 * <p>Invariant: when {@code rejection} is present nothing is delivered, so {@link #parts()} is
 * empty; the fates are still recorded for the trace. Immutable and thread-safe.
 *
 * @param rejection the reply refusing the whole message, if a rule rejected it
 * @param fates one fate per recipient, originals in RCPT order, then added ones in the order added
 * @param added the recipients rules added (redirect targets, BCC copies)
 * @param trace every rule's decision
 */
public record MessagePlan(
    Optional<SmtpReply> rejection, List<RecipientFate> fates, List<Recipient> added, DecisionTrace trace) {

  public MessagePlan {
    Objects.requireNonNull(rejection, "rejection");
    Objects.requireNonNull(trace, "trace");
    fates = List.copyOf(fates);
    added = List.copyOf(added);
  }

  /** True when the message is refused at the end of DATA. */
  public boolean rejected() {
    return rejection.isPresent();
  }

  /** The fate of one recipient, by address. */
  public Optional<RecipientFate> fateOf(MailPath address) {
    return fates.stream().filter(f -> f.recipient().address().equals(address)).findFirst();
  }

  /** Recipients that must be bounced with a DSN because no connector serves them. */
  public List<RecipientFate.Unroutable> unroutable() {
    return rejected() ? List.of() : fates.stream()
        .filter(f -> f instanceof RecipientFate.Unroutable)
        .map(f -> (RecipientFate.Unroutable) f)
        .toList();
  }

  /**
   * The copies to send: delivered recipients grouped by connector, sender, header edits and TLS
   * requirement, in order of first appearance.
   */
  public List<MessagePart> parts() {
    if (rejected()) {
      return List.of();
    }
    record Key(String connector, MailPath sender, List<HeaderEdit> edits, boolean tls) {}
    Map<Key, List<Recipient>> groups = new LinkedHashMap<>();
    for (RecipientFate fate : fates) {
      if (fate instanceof RecipientFate.Deliver d) {
        groups.computeIfAbsent(
                new Key(d.route().connector(), d.sender(), d.headerEdits(), d.requireTls()),
                k -> new ArrayList<>())
            .add(d.recipient());
      }
    }
    List<MessagePart> parts = new ArrayList<>();
    groups.forEach((key, recipients) -> parts.add(new MessagePart(
        key.connector(), key.sender(), recipients,
        key.edits(), key.tls())));
    return List.copyOf(parts);
  }

  /** The rules line by line, then the outcome: the text {@code relay route} prints. */
  public List<String> explain() {
    List<String> lines = new ArrayList<>(trace.lines());
    if (rejected()) {
      lines.add("message rejected: " + rejection.orElseThrow());
    } else {
      fates.forEach(f -> lines.add(f.describe()));
    }
    return List.copyOf(lines);
  }
}
