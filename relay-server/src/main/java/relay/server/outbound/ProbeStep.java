package relay.server.outbound;

import java.util.Objects;

/**
 * One step of {@code relay test-connector}: what was tried ({@code name}, e.g. {@code STARTTLS}),
 * how it went, what was seen (the detail and, when the upstream answered, its reply on one line) and,
 * unless it passed, how to fix it. Holds no secret: a step that used one names it, never shows it.
 * Immutable.
 *
 * @param reply the upstream's reply on one line, or null when none belongs to the step
 * @param hint what to do about a warning or failure, or null
 */
public record ProbeStep(String name, Verdict verdict, String detail, String reply, String hint) {

  /** How a step went; ordered from best to worst (the worst decides the exit status). */
  public enum Verdict {
    PASS(0), WARN(1), FAIL(2);

    private final int exitStatus;

    Verdict(int exitStatus) {
      this.exitStatus = exitStatus;
    }

    /** 0 pass, 1 warnings, 2 failure. */
    public int exitStatus() {
      return exitStatus;
    }
  }

  public ProbeStep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(detail, "detail");
  }

  static ProbeStep pass(String name, String detail) {
    return new ProbeStep(name, Verdict.PASS, detail, null, null);
  }

  static ProbeStep warn(String name, String detail, String hint) {
    return new ProbeStep(name, Verdict.WARN, detail, null, hint);
  }

  static ProbeStep fail(String name, String detail, String hint) {
    return new ProbeStep(name, Verdict.FAIL, detail, null, hint);
  }

  ProbeStep withReply(Object seen) {
    return new ProbeStep(name, verdict, detail, seen == null ? null : seen.toString(), hint);
  }
}
