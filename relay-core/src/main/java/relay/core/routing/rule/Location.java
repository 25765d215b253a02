package relay.core.routing.rule;

/**
 * Where an address is relative to the organisation: inside when its domain matches an accepted
 * domain, outside otherwise. The null sender {@code <>} is outside.
 */
public enum Location {
  INSIDE,
  OUTSIDE
}
