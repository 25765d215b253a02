package relay.config.load;

import java.time.Duration;
import java.util.Optional;
import relay.core.schedule.RetrySchedule;

/**
 * Binds a {@code retry} block: the global {@code relay.delivery.retry}, where every key is required,
 * and the optional one on each outbound connector, where a key left out takes the global value.
 * The same checks apply to both, each problem at the file and line of the offending value (or of
 * the block, for a key the global block lacks).
 *
 * <p>Stateless; one call per block.
 */
final class RetryBinder {

  static final String KEY = "retry";

  private RetryBinder() {}

  /** {@code relay.delivery.retry}: every key required. */
  static Optional<RetrySchedule> global(Section s) {
    s.require("initial-delay", "multiplier", "max-delay", "jitter", "max-lifetime");
    return bind(s, Optional.empty());
  }

  /** A connector's {@code retry} block: any key left out is {@code inherited}'s. */
  static Optional<RetrySchedule> override(Section s, RetrySchedule inherited) {
    return bind(s, Optional.of(inherited));
  }

  /** With no {@code parent} every key is required (already checked), so nothing is inherited. */
  private static Optional<RetrySchedule> bind(Section s, Optional<RetrySchedule> parent) {
    RetrySchedule inherited = parent.orElse(RetrySchedule.DEFAULTS);
    int before = s.problems().count();
    Optional<Duration> initial = s.duration("initial-delay");
    Optional<Double> multiplier = s.decimal("multiplier", 1.0, 100.0);
    Optional<Duration> max = s.duration("max-delay");
    Optional<Double> jitter = s.decimal("jitter", 0.0, 1.0);
    Optional<Duration> lifetime = s.duration("max-lifetime");
    s.finish();
    Duration effectiveInitial = initial.orElse(inherited.initialDelay());
    Duration effectiveMax = max.orElse(inherited.maxDelay());
    // Compare only values that were read successfully (or inherited), so one bad value is one problem.
    boolean initialKnown = initial.isPresent() || (parent.isPresent() && s.value("initial-delay").isEmpty());
    boolean maxKnown = max.isPresent() || (parent.isPresent() && s.value("max-delay").isEmpty());
    if (initialKnown && maxKnown && effectiveMax.compareTo(effectiveInitial) < 0) {
      // Point at whichever key this block sets; with an inherited half, say where the other came from.
      if (max.isPresent()) {
        s.problem("max-delay", initial.isPresent()
            ? "is shorter than initial-delay"
            : "is shorter than the inherited initial-delay (" + effectiveInitial + ")", "");
      } else {
        s.problem("initial-delay", "is longer than the inherited max-delay (" + effectiveMax + ")",
            "set max-delay in this block too");
      }
    }
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new RetrySchedule(
        effectiveInitial,
        multiplier.orElse(inherited.multiplier()),
        effectiveMax,
        jitter.orElse(inherited.jitter()),
        lifetime.orElse(inherited.maxLifetime())));
  }
}
