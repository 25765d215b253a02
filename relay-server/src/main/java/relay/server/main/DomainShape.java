package relay.server.main;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The queue's shape by destination, like Postfix's {@code qshape}: for each recipient domain, how
 * many recipients still wait (pending or held), by the age of their message. Built from the queue
 * listing one message at a time; holds one row per domain seen. Not thread-safe (one command).
 */
final class DomainShape {

  /** Upper bounds of the age columns; the last column is open. */
  private static final List<Duration> BOUNDS = List.of(Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(20), Duration.ofMinutes(40), Duration.ofMinutes(80), Duration.ofMinutes(160),
      Duration.ofMinutes(320), Duration.ofMinutes(640), Duration.ofMinutes(1280));
  private static final List<String> LABELS = List.of("5m", "10m", "20m", "40m", "80m", "160m", "320m", "640m", "1280m", "more");
  /** Rows printed at most, busiest first. */
  private static final int ROWS = 40;

  private final Instant now;
  private final Map<String, long[]> byDomain = new HashMap<>();
  private final long[] total = new long[LABELS.size()];

  DomainShape(Instant now) {
    this.now = now;
  }

  /** Counts one listed message's waiting recipients. */
  void add(JsonNode entry) {
    Duration age = Duration.between(Instant.parse(entry.get("received").asText()), now);
    int column = 0;
    while (column < BOUNDS.size() && age.compareTo(BOUNDS.get(column)) >= 0) {
      column++;
    }
    for (JsonNode r : entry.get("recipients")) {
      String status = r.get("status").asText();
      if (!status.equals("pending") && !status.equals("held")) {
        continue;
      }
      String address = r.get("address").asText();
      String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
      byDomain.computeIfAbsent(domain, d -> new long[LABELS.size()])[column]++;
      total[column]++;
    }
  }

  String text() {
    StringBuilder out = new StringBuilder(String.format("%-32s %7s", "DOMAIN", "TOTAL"));
    LABELS.forEach(l -> out.append(String.format(" %6s", l)));
    out.append('\n');
    row(out, "TOTAL", total);
    byDomain.entrySet().stream()
        .sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue())))
        .limit(ROWS)
        .forEach(e -> row(out, e.getKey(), e.getValue()));
    if (byDomain.size() > ROWS) {
      out.append("(").append(byDomain.size() - ROWS).append(" more domains; --json lists them all)\n");
    }
    return out.toString();
  }

  String json() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putArray("columns").addAll(LABELS.stream().map(JsonNodeFactory.instance::textNode).toList());
    ObjectNode domains = root.putObject("domains");
    byDomain.forEach((domain, counts) -> {
      var row = domains.putArray(domain);
      for (long c : counts) {
        row.add(c);
      }
    });
    return root.toString();
  }

  private static void row(StringBuilder out, String name, long[] counts) {
    out.append(String.format("%-32s %7d", name.length() > 32 ? name.substring(0, 31) + "…" : name, sum(counts)));
    for (long c : counts) {
      out.append(String.format(" %6d", c));
    }
    out.append('\n');
  }

  private static long sum(long[] counts) {
    long s = 0;
    for (long c : counts) {
      s += c;
    }
    return s;
  }
}
