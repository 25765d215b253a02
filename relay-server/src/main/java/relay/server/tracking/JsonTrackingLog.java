package relay.server.tracking;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.reply.SmtpReply;
import relay.core.session.SessionTls;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * The message-tracking log: one JSON object per line, in the server to its own rolling file {@code
 * tracking.log} through a {@link LineFile} queue, so sessions and deliveries never wait for the
 * disk. Field names are stable (docs/configuration.md, "Tracking log", lists them; {@code relay
 * trace} reads them); fields are only ever added.
 *
 * <p>Written with Jackson's streaming {@link JsonGenerator}: no reflection and no tree per line,
 * and Jackson's escaping (control characters as {@code \\u00XX}) keeps every event on one line
 * whatever a client put into an address or a subject.
 *
 * <p>Thread-safe: the factory is shared (it is thread-safe once configured), each line gets its
 * own generator.
 */
public final class JsonTrackingLog implements TrackingLog {

  // Jackson's default pool of generator buffers is per thread; events are recorded from virtual
  // threads, which are new for every delivery attempt, so each line allocated fresh buffers (4 % of
  // the relay's allocation under load). A shared pool, bounded to the generators in use at once.
  private static final JsonFactory JSON =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(64)).build();

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
    LineWriter out = new LineWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, event);
    } catch (IOException e) {
      throw new UncheckedIOException("writing into memory cannot fail", e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, TrackingEvent event) throws IOException {
    g.writeStartObject();
    g.writeStringField("at", event.at().toString());
    switch (event) {
      case TrackingEvent.Received r -> {
        g.writeStringField("event", "received");
        g.writeStringField("session", r.session());
        g.writeStringField("client", r.client());
        g.writeStringField("connector", r.inboundConnector());
        g.writeStringField("sender", r.sender().toString());
        addresses(g, "recipients", r.recipients());
        g.writeNumberField("size", r.size());
        strings(g, "rules", r.trace().lines());
        g.writeStringField("message_id", r.messageId());
        g.writeStringField("subject", r.subject());
        g.writeStringField("user", r.user());
        tls(g, r.tls());
      }
      case TrackingEvent.Routed r -> {
        g.writeStringField("event", "routed");
        g.writeStringField("session", r.session());
        g.writeStringField("id", r.id().value());
        g.writeStringField("connector", r.connector());
        addresses(g, "recipients", r.recipients());
        g.writeBooleanField("requireTls", r.requireTls());
        g.writeStringField("sender", r.sender().toString());
      }
      case TrackingEvent.Discarded d -> {
        g.writeStringField("event", "discarded");
        g.writeStringField("session", d.session());
        g.writeStringField("recipient", d.recipient().toString());
        g.writeStringField("why", d.why());
      }
      case TrackingEvent.Rejected r -> {
        g.writeStringField("event", "rejected");
        g.writeStringField("session", r.session());
        g.writeStringField("stage", r.stage().label());
        g.writeStringField("sender", address(r.sender()));
        g.writeStringField("recipient", address(r.recipient()));
        g.writeStringField("reply", r.reply().toWire().strip());
        g.writeStringField("reason", r.reason());
        strings(g, "rules", r.trace().lines());
        g.writeStringField("client", r.client());
        g.writeStringField("connector", r.connector());
        g.writeStringField("user", r.user());
      }
      case TrackingEvent.Delivery d -> {
        g.writeStringField("event", d.result().name().toLowerCase(Locale.ROOT));
        g.writeStringField("id", d.id().value());
        g.writeStringField("connector", d.connector());
        g.writeStringField("recipient", d.recipient().toString());
        attempt(g, d.report());
        g.writeStringField("sender", d.sender().toString());
      }
      case TrackingEvent.Held h -> {
        g.writeStringField("event", "held");
        g.writeStringField("id", h.id().value());
        g.writeStringField("connector", h.connector());
      }
      case TrackingEvent.DsnQueued n -> {
        g.writeStringField("event", "dsn-queued");
        g.writeStringField("id", n.id().value());
        g.writeStringField("notification", n.notification().value());
        g.writeStringField("action", n.action());
        g.writeStringField("to", n.to().toString());
        addresses(g, "recipients", n.recipients());
      }
      case TrackingEvent.OperatorAction o -> {
        g.writeStringField("event", "operator");
        g.writeStringField("id", o.id().value());
        g.writeStringField("action", o.action());
        g.writeStringField("operator", o.operator());
        g.writeBooleanField("done", o.done());
        g.writeStringField("detail", o.detail());
      }
    }
    g.writeEndObject();
  }

  /**
   * What a delivery attempt learned, one fact per field, every field present (null when it does
   * not apply): {@code code}, {@code status} and {@code reply} (the text, lines joined by
   * {@code " / "}) when the upstream replied; {@code cause} and {@code reason} when no reply did;
   * {@code remote_host}, {@code remote_ip}, {@code login} and {@code tls} ({@code version},
   * {@code cipher}, {@code verified}) when a connection was made.
   */
  private static void attempt(JsonGenerator g, AttemptReport report) throws IOException {
    switch (report) {
      case AttemptReport.Replied replied -> {
        SmtpReply reply = replied.reply();
        g.writeNumberField("code", reply.code());
        g.writeStringField("status", reply.status() == null ? null : reply.status().toString());
        g.writeStringField("reply", String.join(" / ", reply.lines()));
        g.writeNullField("cause");
        g.writeNullField("reason");
      }
      case AttemptReport.Local local -> {
        g.writeNullField("code");
        g.writeNullField("status");
        g.writeNullField("reply");
        g.writeStringField("cause", local.cause().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        g.writeStringField("reason", local.reason());
      }
    }
    UpstreamHop hop = report.hop();
    g.writeStringField("remote_host", hop == null ? null : hop.name());
    g.writeStringField("remote_ip", hop == null ? null : hop.address());
    g.writeStringField("login", hop == null ? null : hop.login());
    UpstreamHop.Tls tls = hop == null ? null : hop.tls();
    if (tls == null) {
      g.writeNullField("tls");
    } else {
      g.writeObjectFieldStart("tls");
      g.writeStringField("version", tls.protocol());
      g.writeStringField("cipher", tls.cipherSuite());
      g.writeStringField("verified", tls.verifiedName());
      g.writeEndObject();
    }
  }

  /** An inbound session's TLS as {@code {"version":..,"cipher":..}}, the names delivery lines use. */
  private static void tls(JsonGenerator g, SessionTls tls) throws IOException {
    if (tls == null) {
      g.writeNullField("tls");
      return;
    }
    g.writeObjectFieldStart("tls");
    g.writeStringField("version", tls.protocol());
    g.writeStringField("cipher", tls.cipherSuite());
    g.writeEndObject();
  }

  private static String address(MailPath path) {
    return path == null ? null : path.toString();
  }

  private static void addresses(JsonGenerator g, String name, List<MailPath> paths) throws IOException {
    g.writeArrayFieldStart(name);
    for (MailPath path : paths) {
      g.writeString(path.toString());
    }
    g.writeEndArray();
  }

  private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String value : values) {
      g.writeString(value);
    }
    g.writeEndArray();
  }

  /**
   * A writer into one unsynchronized {@link StringBuilder}: a line is built by one thread, so
   * {@link java.io.StringWriter}'s locking would be paid for nothing.
   */
  private static final class LineWriter extends Writer {

    private final StringBuilder text = new StringBuilder(384);

    @Override
    public void write(char[] chars, int offset, int length) {
      text.append(chars, offset, length);
    }

    @Override
    public void write(String s, int offset, int length) {
      text.append(s, offset, offset + length);
    }

    @Override
    public void write(int c) {
      text.append((char) c);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
