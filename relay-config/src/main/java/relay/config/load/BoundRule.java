package relay.config.load;

import java.util.Optional;
import relay.core.routing.rule.Rule;

/**
 * A mail-flow rule as bound from one list element, with where it (and its {@code route-via}, the
 * usual culprit of a cross-check) was written.
 */
record BoundRule(Rule rule, Located at, Optional<Located> routeVia) {}
