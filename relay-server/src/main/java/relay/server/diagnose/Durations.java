package relay.server.diagnose;

import java.time.Duration;

/** Short durations for people: {@code 0s}, {@code 42s}, {@code 3m 05s}, {@code 2h 10m}, {@code 1d 4h}. */
final class Durations {

  private Durations() {}

  static String text(Duration d) {
    String sign = d.isNegative() ? "-" : "";
    long s = d.abs().toSeconds();
    if (s < 60) {
      return sign + s + "s";
    }
    if (s < 3600) {
      return sign + "%dm %02ds".formatted(s / 60, s % 60);
    }
    if (s < 86_400) {
      return sign + "%dh %02dm".formatted(s / 3600, s % 3600 / 60);
    }
    return sign + "%dd %dh".formatted(s / 86_400, s % 86_400 / 3600);
  }
}
