package relay.server.main;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import relay.server.trace.TracedEvent;

/**
 * How {@code relay trace} prints events for people: a table row per event for a search (fixed
 * columns, so rows can be printed as they are found; a value too long for its column is cut with
 * {@code ~}), and a few lines per event for one message's timeline. Stateless.
 */
final class TraceText {

  private static final String ROW = "%-24s %-22s %-28s %-28s %-10s %-30s %s";

  private TraceText() {}

  static void header(PrintWriter out) {
    out.println(ROW.formatted("TIME (UTC)", "QUEUE ID / [SESSION]", "SENDER", "RECIPIENT", "STATUS", "CONNECTOR / UPSTREAM",
        "REPLY / DETAIL").stripTrailing());
  }

  /** One table row. */
  static void row(PrintWriter out, TracedEvent e) {
    String id = e.id() != null ? e.id() : e.session() != null ? "[" + e.session() + "]" : "-";
    out.println(ROW.formatted(cut(e.at().toString(), 24), cut(id, 22), cut(dash(sender(e)), 28),
        cut(dash(recipients(e.recipients())), 28), cut(e.event(), 10), cut(dash(via(e)), 30), dash(detail(e))).stripTrailing());
  }

  /** One event of a timeline: its time and name, then what it says, indented. */
  static void timeline(PrintWriter out, TracedEvent e) {
    String head = "%-24s %-10s ".formatted(e.at(), e.event());
    String indent = " ".repeat(head.length());
    List<String> lines = switch (e.event()) {
      case "received" -> received(e);
      case "routed" -> List.of("queued as " + e.id() + " for " + e.text("connector") + ": " + all(e.recipients())
          + ("true".equals(e.text("requireTls")) ? " (TLS required by a rule)" : "") + session(e));
      case "discarded" -> List.of(e.text("recipient") + " discarded: " + e.text("why") + session(e));
      case "rejected" -> rejected(e);
      case "operator" -> List.of(e.text("action") + " by " + e.text("operator") + ": " + e.text("detail"));
      case "dsn-queued" -> List.of(e.text("action") + " DSN queued as " + e.text("notification") + " to " + e.text("to")
          + " about " + all(e.recipients()) + " (message " + e.id() + ")");
      default -> List.of(dash(e.text("recipient") == null ? "message " + e.id() : e.text("recipient") + " (" + e.id() + ")")
          + " via " + dash(via(e)), dash(detail(e)));
    };
    for (int i = 0; i < lines.size(); i++) {
      out.println((i == 0 ? head : indent) + lines.get(i));
    }
  }

  private static List<String> received(TracedEvent e) {
    StringBuilder from = new StringBuilder("from " + e.text("client") + " on " + e.text("connector"));
    JsonNode tls = e.object("tls");
    from.append(tls == null ? ", no TLS" : ", " + tls.path("version").asText() + " " + tls.path("cipher").asText());
    if (e.text("user") != null) {
      from.append(", AUTH as ").append(e.text("user"));
    }
    from.append(session(e));
    String message = e.text("sender") + " -> " + all(e.recipients()) + ", " + e.text("size") + " octets";
    String headers = "Message-ID " + dash(e.text("message_id")) + ", Subject \"" + dash(e.text("subject")) + "\"";
    List<String> out = new ArrayList<>(List.of(from.toString(), message, headers));
    e.fields().path("rules").forEach(rule -> out.add("rule " + rule.asText()));
    return out;
  }

  private static List<String> rejected(TracedEvent e) {
    String what = "at " + e.text("stage") + (e.text("sender") == null ? "" : ", from " + e.text("sender"))
        + (e.text("recipient") == null ? "" : ", to " + e.text("recipient"));
    String who = e.text("client") == null ? "" : " (client " + e.text("client")
        + (e.text("connector") == null ? "" : " on " + e.text("connector")) + ")";
    List<String> out = new ArrayList<>(List.of(what + who + session(e), e.text("reply") + ": " + e.text("reason")));
    e.fields().path("rules").forEach(rule -> out.add("rule " + rule.asText()));
    return out;
  }

  private static String session(TracedEvent e) {
    return e.session() == null ? "" : " [session " + e.session() + "]";
  }

  private static String sender(TracedEvent e) {
    return e.event().equals("dsn-queued") ? "<>" : e.text("sender");
  }

  /** Where the event happened: the inbound connector and client, or the outbound connector and upstream. */
  static String via(TracedEvent e) {
    String connector = e.text("connector");
    return switch (e.event()) {
      case "received", "rejected" -> e.text("client") == null ? connector
          : (connector == null ? "" : connector + " ") + "from " + e.text("client");
      case "routed", "dsn-queued", "discarded" -> connector;
      default -> {
        String host = e.text("remote_host");
        yield host == null ? connector : connector + " " + host + "[" + e.text("remote_ip") + "]";
      }
    };
  }

  /** The reply or reason, or what else the event says. */
  static String detail(TracedEvent e) {
    return switch (e.event()) {
      case "received" -> "size " + e.text("size") + (e.text("subject") == null ? "" : ", \"" + e.text("subject") + "\"");
      case "routed" -> "true".equals(e.text("requireTls")) ? "TLS required" : null;
      case "discarded" -> e.text("why");
      case "rejected" -> e.text("reply") + " (" + e.text("reason") + ")";
      case "dsn-queued" -> e.text("action") + " DSN " + e.text("notification") + " to " + e.text("to");
      default -> {
        if (!e.isDelivery()) {
          yield "connector not configured";
        }
        JsonNode tls = e.object("tls");
        String said = e.text("code") != null
            ? e.text("code") + (e.text("status") == null ? "" : " " + e.text("status")) + " " + dash(e.text("reply"))
            : e.text("cause") + ": " + e.text("reason");
        yield said + (tls == null ? "" : " (" + tls.path("version").asText() + " " + tls.path("cipher").asText() + ")");
      }
    };
  }

  private static String all(List<String> recipients) {
    return String.join(", ", recipients);
  }

  private static String recipients(List<String> all) {
    return all.isEmpty() ? null : all.size() == 1 ? all.getFirst() : all.getFirst() + " +" + (all.size() - 1);
  }

  private static String dash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  private static String cut(String value, int width) {
    return value.length() <= width ? value : value.substring(0, width - 1) + "~";
  }
}
