package relay.core.routing;

import java.util.Objects;

/**
 * A mistake in a routing configuration found by validation, for the configuration module to report
 * with the file and line of {@code subject}.
 *
 * @param subject what the problem is about, e.g. {@code outbound connector 'partner'} or
 *     {@code rule 'Tag external'}
 * @param message what is wrong and, where possible, how to fix it
 */
public record RoutingProblem(String subject, String message) {

  public RoutingProblem {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return subject + ": " + message;
  }
}
