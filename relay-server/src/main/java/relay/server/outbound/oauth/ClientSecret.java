package relay.server.outbound.oauth;

import relay.core.connector.Secret;
import java.util.Objects;

/**
 * A client secret registered for the application. Immutable; {@code toString()} masks the value
 * because {@link Secret} does.
 */
public record ClientSecret(Secret secret) implements ClientCredential {

  public ClientSecret {
    Objects.requireNonNull(secret, "secret");
  }
}
