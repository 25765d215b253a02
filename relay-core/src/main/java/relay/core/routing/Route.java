package relay.core.routing;

import java.util.Objects;

/**
 * The outbound connector a recipient leaves through, with the reason it was chosen (for traces and
 * the {@code relay route} explanation).
 *
 * @param connector the outbound connector's name
 * @param reason why, e.g. {@code recipient domain matches *.contoso.com} or
 *     {@code rule 'Partner mail' routes via partner}
 */
public record Route(String connector, String reason) {

  public Route {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return connector + " (" + reason + ")";
  }
}
