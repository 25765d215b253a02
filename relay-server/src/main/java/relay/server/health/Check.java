package relay.server.health;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One named condition that {@code /healthz} or {@code /readyz} reports on, such as {@code
 * smtp-lan} (the listener's event loops run tasks) or {@code protocol-log} (its writer can write).
 *
 * <p>The probe is called on each request, on its own thread, and may block briefly; a probe that
 * throws or does not answer in time counts as failed. The name is one word, so that a report line
 * ({@code ok NAME}, {@code fail NAME: REASON}) splits cleanly: runs of white space in it (a
 * listener named {@code office lan}) become {@code -}.
 */
public record Check(String name, Supplier<CheckResult> probe) {

  public Check {
    Objects.requireNonNull(probe, "probe");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a check needs a name");
    }
    name = name.strip().replaceAll("\\s+", "-");
  }
}
