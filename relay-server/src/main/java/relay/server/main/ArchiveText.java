package relay.server.main;

import java.time.Duration;
import java.util.Locale;
import java.util.stream.Collectors;
import relay.core.spool.ArchiveReport;

/** The words {@code relay queue export} and {@code import} print about what they moved. Stateless. */
final class ArchiveText {

  private ArchiveText() {}

  static String summary(String verb, ArchiveReport report, Duration took) {
    double seconds = Math.max(took.toNanos() / 1e9, 1e-3);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s %d message(s), %.1f MB, in %.1f s (%.0f messages/s)", verb, report.moved(),
        report.bytes() / 1e6, seconds, report.moved() / seconds));
    if (!report.byConnector().isEmpty()) {
      out.append(": ").append(report.byConnector().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", ")));
    }
    out.append("; ").append(report.held()).append(" held\n");
    if (report.alreadyDone() > 0) {
      out.append(report.alreadyDone()).append(" message(s) imported here before: skipped, never queued twice\n");
    }
    for (String note : report.notes()) {
      out.append("left alone: ").append(note).append('\n');
    }
    return out.toString();
  }
}
