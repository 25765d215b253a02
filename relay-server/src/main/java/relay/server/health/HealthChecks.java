package relay.server.health;

import java.util.List;

/**
 * The checks behind the admin endpoint's two questions. {@code alive}: is the process still doing
 * its work (a failure means restart it)? {@code ready}: can it take mail and account for it right
 * now (a failure means send traffic elsewhere until it passes again)?
 *
 * <p>Immutable; the lists are copied.
 */
public record HealthChecks(List<Check> alive, List<Check> ready) {

  public HealthChecks {
    alive = List.copyOf(alive);
    ready = List.copyOf(ready);
  }
}
