package relay.server.diagnose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a {@link HeaderAnalysis} for people (sections: message, hops, authentication, anti-spam,
 * warnings) or for programs (one JSON object). Hop times are shown in UTC so that they compare at
 * a glance; the date as written stays in the JSON. Stateless apart from the mapper it is given.
 */
public final class HeaderReport {

  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

  private final ObjectMapper json;

  public HeaderReport(ObjectMapper json) {
    this.json = json;
  }

  /** The text report. */
  public void text(PrintWriter out, HeaderAnalysis a) {
    line(out, "Subject:    ", a.subject());
    line(out, "From:       ", a.from());
    line(out, "Date:       ", a.date());
    line(out, "Message-ID: ", a.messageId());
    out.println();
    out.println("Received chain, oldest first: " + a.hops().size() + " hops"
        + (a.total() == null ? "" : ", " + Durations.text(a.total()) + " in all"));
    out.println("  hop  delay     share  time (UTC)            from -> by (with)");
    for (ReceivedHop h : a.hops()) {
      Integer share = a.share(h);
      out.println("  %-4d %-9s %-6s %-21s %s -> %s%s".formatted(h.number(),
          h.delay() == null ? "-" : Durations.text(h.delay()),
          h.skewed() ? "skew" : share == null ? "-" : share + "%",
          h.date() == null ? "(no date)" : UTC.format(h.date().withOffsetSameInstant(ZoneOffset.UTC)),
          h.from() == null ? "?" : h.from(), h.by() == null ? "?" : h.by(),
          h.with() == null ? "" : " (" + h.with() + ")"));
    }
    out.println();
    out.println("Authentication:" + (a.authentication().isEmpty() ? " no results in the header" : ""));
    for (AuthVerdict v : a.authentication()) {
      out.println("  %-9s %-10s %s%s".formatted(v.method(), v.result(),
          v.field() + (v.authority() == null ? "" : " of " + v.authority()),
          v.properties().isEmpty() ? "" : ": " + v.properties()));
    }
    out.println();
    out.println("Microsoft anti-spam:" + (a.antispam().isEmpty() ? " no Microsoft anti-spam fields" : ""));
    for (AntispamField f : a.antispam()) {
      out.println("  %-6s %-16s %s".formatted(f.name(), f.value().isEmpty() ? "(empty)" : f.value(),
          f.meaning() == null ? "" : f.meaning()));
    }
    out.println();
    out.println("Warnings:" + (a.warnings().isEmpty() ? " none" : ""));
    a.warnings().forEach(w -> out.println("  " + w));
  }

  /** The JSON report. */
  public String json(HeaderAnalysis a) {
    ObjectNode root = json.createObjectNode();
    root.put("subject", a.subject());
    root.put("from", a.from());
    root.put("date", a.date());
    root.put("messageId", a.messageId());
    if (a.total() == null) {
      root.putNull("totalSeconds");
    } else {
      root.put("totalSeconds", a.total().toSeconds());
    }
    ArrayNode hops = root.putArray("hops");
    for (ReceivedHop h : a.hops()) {
      ObjectNode n = hops.addObject();
      n.put("hop", h.number());
      n.put("from", h.from());
      n.put("by", h.by());
      n.put("with", h.with());
      n.put("dateText", h.dateText());
      n.put("date", h.date() == null ? null : h.date().toInstant().toString());
      if (h.delay() == null) {
        n.putNull("delaySeconds");
      } else {
        n.put("delaySeconds", h.delay().toSeconds());
      }
      Integer share = a.share(h);
      if (share == null) {
        n.putNull("sharePercent");
      } else {
        n.put("sharePercent", share);
      }
      n.put("skewed", h.skewed());
    }
    ArrayNode auth = root.putArray("authentication");
    for (AuthVerdict v : a.authentication()) {
      ObjectNode n = auth.addObject();
      n.put("field", v.field());
      n.put("authority", v.authority());
      n.put("method", v.method());
      n.put("result", v.result());
      n.put("properties", v.properties());
    }
    ArrayNode antispam = root.putArray("antispam");
    for (AntispamField f : a.antispam()) {
      ObjectNode n = antispam.addObject();
      n.put("field", f.field());
      n.put("name", f.name());
      n.put("value", f.value());
      n.put("meaning", f.meaning());
      n.put("warning", f.warning());
    }
    ArrayNode warnings = root.putArray("warnings");
    a.warnings().forEach(warnings::add);
    try {
      return json.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }

  private static void line(PrintWriter out, String label, String value) {
    if (value != null) {
      out.println(label + value);
    }
  }
}
