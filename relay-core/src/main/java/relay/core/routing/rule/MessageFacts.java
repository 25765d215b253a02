package relay.core.routing.rule;

import java.util.Objects;
import relay.core.routing.header.HeaderSection;

/**
 * What is known at the end of DATA: the envelope, the header section and the size. The inputs of
 * every rule.
 *
 * <p>Immutable and thread-safe.
 *
 * @param size the message size in bytes as received
 */
public record MessageFacts(EnvelopeFacts envelope, HeaderSection headers, long size) {

  public MessageFacts {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(headers, "headers");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
