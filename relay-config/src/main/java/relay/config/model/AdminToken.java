package relay.config.model;

import java.util.Objects;
import relay.core.connector.Secret;

/**
 * A bearer token for the admin API, from a secret reference ({@code env:} or {@code file:}), with
 * what its holder may do. Immutable; the token is shown nowhere (only its name is).
 *
 * @param name who holds it, as written in the audit log (e.g. {@code ops}, {@code helpdesk})
 * @param token the token itself
 * @param role what it allows
 */
public record AdminToken(String name, Secret token, Role role) {

  /** What a token allows. */
  public enum Role {
    /** Reading: queue lists, messages, summaries, trace, connector state. */
    READ,
    /** Everything READ allows, and acting: retry, hold, release, delete, bounce, suspend, resume. */
    ADMIN
  }

  public AdminToken {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(role, "role");
  }
}
