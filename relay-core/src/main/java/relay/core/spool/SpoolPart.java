package relay.core.spool;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.Envelope;
import relay.core.routing.header.HeaderEdit;

/**
 * One spool entry to create from a received message at commit: the envelope of this copy (only its
 * recipients, its sender), the outbound connector it leaves through, whether the onward hop must
 * use TLS, and the header edits the rules decided for it, applied to the stored content.
 *
 * <p>Invariant: lists are immutable copies. Immutable and thread-safe.
 *
 * @param connector the outbound connector name, or null to let the runtime decide by recipient
 */
public record SpoolPart(Envelope envelope, String connector, boolean requireTls, List<HeaderEdit> headerEdits) {

  public SpoolPart {
    Objects.requireNonNull(envelope, "envelope");
    headerEdits = List.copyOf(headerEdits);
  }

  /** The whole message unchanged, connector left to the runtime. */
  public static SpoolPart whole(Envelope envelope) {
    return new SpoolPart(envelope, null, false, List.of());
  }
}
