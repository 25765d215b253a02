package relay.server.main;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * The admin API's queue answers as text for a terminal: one row per message, the summary as a
 * table, one message in full, the connectors. Pure functions of the JSON they are given.
 */
final class QueueText {

  private QueueText() {}

  /** One listing row: id, connector, state, age, size, sender, recipients, last reply. */
  static String row(JsonNode m, Instant now) {
    JsonNode recipients = m.get("recipients");
    String first = recipients.isEmpty() ? "" : recipients.get(0).get("address").asText();
    String to = recipients.size() > 1 ? first + " +" + (recipients.size() - 1) : first;
    String reply = "";
    for (JsonNode r : recipients) {
      if (!r.path("lastReply").isNull() && !r.path("lastReply").isMissingNode() && !"delivered".equals(r.get("status").asText())) {
        reply = r.get("lastReply").asText();
        break;
      }
    }
    return String.format("%-22s %-14s %-9s %6s %8d  %-30s %-34s %s", m.get("id").asText(),
        clip(m.get("connector").asText(), 14), m.get("state").asText().toLowerCase(java.util.Locale.ROOT),
        age(Duration.between(Instant.parse(m.get("received").asText()), now)), m.get("size").asLong(),
        clip(m.get("sender").asText(), 30), clip(to, 34), clip(reply, 70));
  }

  static String summary(JsonNode s) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-24s %8s %8s %8s %8s%n", "CONNECTOR", "ACTIVE", "DEFERRED", "HELD", "OLDEST"));
    for (JsonNode c : s.get("connectors")) {
      String oldest = c.path("oldest").isTextual() ? age(Duration.between(Instant.parse(c.get("oldest").asText()), Instant.now())) : "-";
      out.append(String.format("%-24s %8d %8d %8d %8s%s%n", clip(c.get("connector").asText(), 24), c.get("active").asLong(),
          c.get("deferred").asLong(), c.get("held").asLong(), oldest, c.get("configured").asBoolean() ? "" : "  (not configured)"));
    }
    out.append("\nAGE     ");
    StringBuilder counts = new StringBuilder("\nCOUNT   ");
    for (Iterator<Map.Entry<String, JsonNode>> it = s.get("ages").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> bucket = it.next();
      out.append(String.format("%8s", bucket.getKey()));
      counts.append(String.format("%8d", bucket.getValue().asLong()));
    }
    return out.append(counts).append("\n\n").append(s.get("total").asLong()).append(" message(s) queued\n").toString();
  }

  /** The answer of {@code /api/cluster/queue/summary}: one row per node, then the cluster's connectors. */
  static String clusterSummary(JsonNode s) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-24s %8s %8s %8s %8s %8s%n", "NODE", "TOTAL", "ACTIVE", "DEFERRED", "HELD", "OLDEST"));
    int nodes = 0;
    for (JsonNode n : s.get("nodes")) {
      nodes++;
      JsonNode summary = n.get("summary");
      if (summary == null) {
        out.append(String.format("%-24s %s%n", clip(n.get("node").asText(), 24), n.path("error").asText("no answer")));
        continue;
      }
      long active = 0;
      long deferred = 0;
      long held = 0;
      Instant oldest = null;
      for (JsonNode c : summary.get("connectors")) {
        active += c.get("active").asLong();
        deferred += c.get("deferred").asLong();
        held += c.get("held").asLong();
        if (c.path("oldest").isTextual()) {
          Instant at = Instant.parse(c.get("oldest").asText());
          oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
        }
      }
      out.append(String.format("%-24s %8d %8d %8d %8d %8s%n", clip(n.get("node").asText(), 24), summary.get("total").asLong(),
          active, deferred, held, oldest == null ? "-" : age(Duration.between(oldest, Instant.now()))));
    }
    out.append(String.format("%n%-24s %8s %8s %8s %8s%n", "CONNECTOR (ALL NODES)", "ACTIVE", "DEFERRED", "HELD", "OLDEST"));
    for (JsonNode c : s.get("connectors")) {
      String oldest = c.path("oldest").isTextual() ? age(Duration.between(Instant.parse(c.get("oldest").asText()), Instant.now())) : "-";
      out.append(String.format("%-24s %8d %8d %8d %8s%n", clip(c.get("connector").asText(), 24), c.get("active").asLong(),
          c.get("deferred").asLong(), c.get("held").asLong(), oldest));
    }
    int unreachable = s.get("unreachable").asInt();
    return out.append("\n").append(s.get("total").asLong()).append(" message(s) queued on ").append(nodes - unreachable)
        .append(" of ").append(nodes).append(" node(s)").append(unreachable > 0 ? "; the others did not answer (above)" : "")
        .append("\n").toString();
  }

  static String detail(JsonNode d) {
    JsonNode m = d.get("entry");
    StringBuilder out = new StringBuilder();
    line(out, "Queue id", m.get("id").asText());
    line(out, "State", m.get("state").asText().toLowerCase(java.util.Locale.ROOT));
    line(out, "Connector", m.get("connector").asText() + (m.get("requireTls").asBoolean() ? " (TLS required)" : ""));
    line(out, "Received", m.get("received").asText() + " from " + d.get("client").asText() + " via "
        + d.get("inboundConnector").asText());
    line(out, "Sender", m.get("sender").asText());
    line(out, "Size", m.get("size").asText() + " octets");
    line(out, "Attempts", m.get("attempts").asText() + ", next " + m.get("nextAttempt").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = d.get("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      line(out, h.getKey(), h.getValue().asText());
    }
    out.append("Recipients:\n");
    for (JsonNode r : m.get("recipients")) {
      out.append("  ").append(r.get("address").asText()).append("  ").append(r.get("status").asText())
          .append(", ").append(r.get("attempts").asInt()).append(" attempt(s)");
      if (!r.path("lastReply").isNull() && !r.path("lastReply").isMissingNode()) {
        out.append(": ").append(r.get("lastReply").asText());
      }
      out.append('\n');
    }
    return out.toString();
  }

  static String connectors(JsonNode list) {
    StringBuilder out = new StringBuilder(String.format("%-24s %-10s %-10s %8s %8s %8s %8s%n",
        "CONNECTOR", "TYPE", "STATE", "MEMORY", "FLIGHT", "DEFERRED", "HELD"));
    for (JsonNode c : list) {
      String state = c.get("suspended").asBoolean() ? "suspended" : c.path("pausedUntil").isNull() ? "running" : "paused";
      out.append(String.format("%-24s %-10s %-10s %8d %8d %8d %8d%n", clip(c.get("name").asText(), 24),
          c.get("type").asText(), state, c.get("inMemory").asInt(), c.get("inFlight").asInt(), c.get("deferred").asLong(),
          c.get("held").asLong()));
      if (!c.path("pausedUntil").isNull()) {
        out.append("  upstream unreachable: paused until ").append(c.get("pausedUntil").asText()).append('\n');
      }
      if (c.path("tokenExpiresIn").isNumber()) {
        out.append("  OAuth token valid for ").append(age(Duration.ofSeconds(c.get("tokenExpiresIn").asLong()))).append('\n');
      }
      JsonNode last = c.path("last");
      if (last.path("delivered").isTextual()) {
        out.append("  last delivered ").append(last.get("delivered").asText())
            .append(last.path("deliveredVia").isTextual() ? " via " + last.get("deliveredVia").asText() : "").append('\n');
      }
      if (last.path("failed").isTextual()) {
        out.append("  last failure ").append(last.get("failed").asText()).append(": ")
            .append(last.path("failure").asText()).append('\n');
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(String.format("%-11s %s%n", name + ":", value));
  }

  /** {@code 42s}, {@code 17m}, {@code 5h}, {@code 3d}. */
  static String age(Duration age) {
    long s = Math.max(0, age.toSeconds());
    return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
  }

  private static String clip(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }
}
