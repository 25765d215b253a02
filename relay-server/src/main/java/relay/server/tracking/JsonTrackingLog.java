package relay.server.tracking;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * The message-tracking log: one JSON object per line, in the server to its own rolling file {@code
 * tracking.log} through a {@link LineFile} queue, so sessions and deliveries never wait for the
 * disk. Field names are stable; values are escaped JSON strings.
 *
 * <p>Thread-safe; no state of its own.
 */
public final class JsonTrackingLog implements TrackingLog {

  private final Consumer<String> lines;

  /** Hands each JSON line to {@code lines} (the server's own {@link LineFile} {@code tracking.log}). */
  public JsonTrackingLog(Consumer<String> lines) {
    this.lines = lines;
  }

  @Override
  public void record(TrackingEvent event) {
    lines.accept(json(event));
  }

  /** The event as one JSON line (no line breaks). */
  public static String json(TrackingEvent event) {
    StringBuilder out = new StringBuilder(256).append('{');
    field(out, "at", event.at().toString());
    switch (event) {
      case TrackingEvent.Received r -> {
        field(out, "event", "received");
        field(out, "session", r.session());
        field(out, "client", r.client());
        field(out, "connector", r.inboundConnector());
        field(out, "sender", r.sender().toString());
        list(out, "recipients", addresses(r.recipients()));
        out.append(",\"size\":").append(r.size());
        list(out, "rules", decisions(r.trace()));
      }
      case TrackingEvent.Routed r -> {
        field(out, "event", "routed");
        field(out, "session", r.session());
        field(out, "id", r.id().value());
        field(out, "connector", r.connector());
        list(out, "recipients", addresses(r.recipients()));
        out.append(",\"requireTls\":").append(r.requireTls());
      }
      case TrackingEvent.Discarded d -> {
        field(out, "event", "discarded");
        field(out, "session", d.session());
        field(out, "recipient", d.recipient().toString());
        field(out, "why", d.why());
      }
      case TrackingEvent.Rejected r -> {
        field(out, "event", "rejected");
        field(out, "session", r.session());
        field(out, "stage", r.stage());
        field(out, "sender", r.sender() == null ? null : r.sender().toString());
        field(out, "recipient", r.recipient() == null || r.recipient().isNull() ? null : r.recipient().toString());
        field(out, "reply", r.reply().toWire().strip());
        field(out, "reason", r.reason());
        list(out, "rules", decisions(r.trace()));
      }
      case TrackingEvent.Delivery d -> {
        field(out, "event", d.result().name().toLowerCase(Locale.ROOT));
        field(out, "id", d.id().value());
        field(out, "connector", d.connector());
        field(out, "recipient", d.recipient().toString());
        attempt(out, d.report());
      }
      case TrackingEvent.Held h -> {
        field(out, "event", "held");
        field(out, "id", h.id().value());
        field(out, "connector", h.connector());
      }
      case TrackingEvent.DsnQueued n -> {
        field(out, "event", "dsn-queued");
        field(out, "id", n.id().value());
        field(out, "notification", n.notification().value());
        field(out, "action", n.action());
        field(out, "to", n.to().toString());
        list(out, "recipients", addresses(n.recipients()));
      }
    }
    return out.append('}').toString();
  }

  /**
   * What a delivery attempt learned, one fact per field, every field present (null when it does
   * not apply): {@code code}, {@code status} and {@code reply} (the text, lines joined by
   * {@code " / "}) when the upstream replied; {@code cause} and {@code reason} when no reply did;
   * {@code remote_host}, {@code remote_ip}, {@code login} and {@code tls} ({@code version},
   * {@code cipher}, {@code verified}) when a connection was made.
   */
  private static void attempt(StringBuilder out, AttemptReport report) {
    switch (report) {
      case AttemptReport.Replied replied -> {
        SmtpReply reply = replied.reply();
        out.append(",\"code\":").append(reply.code());
        field(out, "status", reply.status() == null ? null : reply.status().toString());
        field(out, "reply", String.join(" / ", reply.lines()));
        field(out, "cause", null);
        field(out, "reason", null);
      }
      case AttemptReport.Local local -> {
        out.append(",\"code\":null");
        field(out, "status", null);
        field(out, "reply", null);
        field(out, "cause", local.cause().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        field(out, "reason", local.reason());
      }
    }
    UpstreamHop hop = report.hop();
    field(out, "remote_host", hop == null ? null : hop.name());
    field(out, "remote_ip", hop == null ? null : hop.address());
    field(out, "login", hop == null ? null : hop.login());
    UpstreamHop.Tls tls = hop == null ? null : hop.tls();
    out.append(",\"tls\":");
    if (tls == null) {
      out.append("null");
    } else {
      out.append("{\"version\":");
      quote(out, tls.protocol());
      out.append(",\"cipher\":");
      quote(out, tls.cipherSuite());
      out.append(",\"verified\":");
      if (tls.verifiedName() == null) {
        out.append("null");
      } else {
        quote(out, tls.verifiedName());
      }
      out.append('}');
    }
  }

  private static List<String> addresses(List<MailPath> paths) {
    return paths.stream().map(MailPath::toString).toList();
  }

  private static List<String> decisions(DecisionTrace trace) {
    return trace.lines();
  }

  private static void field(StringBuilder out, String name, String value) {
    if (out.length() > 1) {
      out.append(',');
    }
    out.append('"').append(name).append("\":");
    if (value == null) {
      out.append("null");
    } else {
      quote(out, value);
    }
  }

  private static void list(StringBuilder out, String name, List<String> values) {
    out.append(",\"").append(name).append("\":[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(out, values.get(i));
    }
    out.append(']');
  }

  private static void quote(StringBuilder q, String s) {
    q.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\r' -> q.append("\\r");
        case '\t' -> q.append("\\t");
        default -> {
          if (c < 0x20) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    q.append('"');
  }
}
