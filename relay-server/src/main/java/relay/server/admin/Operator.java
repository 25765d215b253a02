package relay.server.admin;

import relay.config.model.AdminToken;

/**
 * Who made an admin API call: the name of the token presented and what it allows. Immutable.
 *
 * @param name the token's name ({@code local} for the token Relay writes for commands on its host)
 * @param role what the token allows
 */
public record Operator(String name, AdminToken.Role role) {

  /** Whether this operator may change things (act on mail or connectors). */
  public boolean mayAct() {
    return role == AdminToken.Role.ADMIN;
  }
}
