package relay.core.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import relay.core.routing.header.HeaderEdit;
import relay.core.routing.header.HeaderSection;

/**
 * Rewrites a message from a sender no mailbox may send as (a device's {@code scanner@localhost}) to
 * a configured address: {@code From:} becomes the address, and the original {@code From:} moves to
 * {@code Reply-To:} unless the message already names one, so replies still reach the person.
 * Immutable.
 */
public record SenderRewrite(String address) {

  public SenderRewrite {
    Objects.requireNonNull(address, "address");
  }

  /** The header edits for {@code section}. */
  public List<HeaderEdit> edits(HeaderSection section) {
    List<HeaderEdit> edits = new ArrayList<>();
    section.first("From").filter(from -> section.first("Reply-To").isEmpty())
        .ifPresent(from -> edits.add(new HeaderEdit.Set("Reply-To", from)));
    edits.add(new HeaderEdit.Set("From", address));
    return edits;
  }
}
