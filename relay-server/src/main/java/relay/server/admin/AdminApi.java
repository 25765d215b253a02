package relay.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import relay.server.trace.TimeArgument;
import relay.server.trace.TraceQuery;
import relay.server.trace.TrackingSearch;

/**
 * The admin JSON API under {@code /api/}, every route behind a bearer token ({@link AdminAccess}):
 *
 * <pre>
 * GET  /api/whoami                          the caller's token name and role
 * GET  /api/queue?connector=&amp;state=&amp;sender=&amp;recipient=&amp;min-age=&amp;reason=&amp;limit=
 *                                           queued messages, oldest first, one JSON object per line
 * GET  /api/queue/summary                   counts per connector, ages
 * GET  /api/queue/ID                        one message in full
 * GET  /api/queue/ID/content                its content (message/rfc822)
 * POST /api/queue/ID/ACTION                 retry | hold | release | delete | bounce   (admin role)
 * GET  /api/trace?sender=&amp;recipient=&amp;message-id=&amp;id=&amp;client=&amp;subject=&amp;user=&amp;status=&amp;since=&amp;until=&amp;limit=
 *                                           tracking-log lines that match (message trace), one per line
 * GET  /api/trace/ID                        one message's timeline (queue id, Message-ID or session id)
 * GET  /api/connectors                      every connector's state
 * POST /api/connectors/NAME/ACTION          suspend | resume | retry                  (admin role)
 * GET  /api/intake                          whether the node takes new mail; what stays queued
 * POST /api/intake/drain                    stop taking new mail (421), keep delivering (admin role)
 * POST /api/intake/accept                   take new mail again                       (admin role)
 * </pre>
 *
 * Answers: 200 with JSON; 401 without a valid token; 403 for a read-only token on a POST; 404 for
 * an unknown route, message or connector; 409 when an action could not take effect (the body says
 * why); 400 for a bad parameter. Every POST is written to the {@link AuditLog}, refused ones too.
 *
 * <p>Threading: each request runs on its own virtual thread; the handler keeps no state per call.
 */
final class AdminApi implements HttpHandler {

  private static final int DEFAULT_LIMIT = 1_000;

  private final AdminAccess access;
  private final QueueOperations queue;
  private final IntakeOperations intake;
  private final AuditLog audit;
  private final TrackingSearch trace;
  private final InstantSource clock;
  private final ObjectMapper json = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  AdminApi(AdminAccess access, QueueOperations queue, IntakeOperations intake, AuditLog audit, TrackingSearch trace,
      InstantSource clock) {
    this.access = access;
    this.queue = queue;
    this.intake = intake;
    this.audit = audit;
    this.trace = trace;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      // Answers hold mail addresses and subjects: never cached, never sniffed into something else.
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      Optional<Operator> operator = access.operator(exchange.getRequestHeaders().getFirst("Authorization"));
      List<String> path = List.of(exchange.getRequestURI().getRawPath().substring("/api/".length()).split("/"));
      String method = exchange.getRequestMethod();
      if (operator.isEmpty()) {
        if (method.equals("POST")) {
          audit.record("-", from(exchange), String.join("/", path), "-", false, "refused: no valid token");
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"relay\"");
        error(exchange, 401, "a valid bearer token is needed (Authorization: Bearer TOKEN)");
        return;
      }
      try {
        switch (method) {
          case "GET", "HEAD" -> read(exchange, path, operator.get());
          case "POST" -> act(exchange, path, operator.get());
          default -> {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
            error(exchange, 405, "method not allowed");
          }
        }
      } catch (IllegalArgumentException e) {
        error(exchange, 400, e.getMessage());
      }
    }
  }

  private void read(HttpExchange exchange, List<String> path, Operator operator) throws IOException {
    String first = path.getFirst();
    if (path.equals(List.of("whoami"))) {
      send(exchange, 200, Map.of("name", operator.name(), "role", operator.role().name().toLowerCase(Locale.ROOT)));
    } else if (path.equals(List.of("connectors"))) {
      send(exchange, 200, queue.connectors());
    } else if (path.equals(List.of("intake"))) {
      send(exchange, 200, intake.report());
    } else if (path.equals(List.of("queue"))) {
      list(exchange, parameters(exchange));
    } else if (path.equals(List.of("trace"))) {
      search(exchange, parameters(exchange));
    } else if (first.equals("trace") && path.size() == 2) {
      timeline(exchange, URLDecoder.decode(path.get(1), StandardCharsets.UTF_8), parameters(exchange));
    } else if (path.equals(List.of("queue", "summary"))) {
      send(exchange, 200, queue.summary());
    } else if (first.equals("queue") && path.size() == 2) {
      Optional<MessageDetail> detail = queue.show(path.get(1));
      if (detail.isPresent()) {
        send(exchange, 200, detail.get());
      } else {
        error(exchange, 404, "no queued message " + path.get(1));
      }
    } else if (first.equals("queue") && path.size() == 3 && path.get(2).equals("content")) {
      Optional<InputStream> content = queue.content(path.get(1));
      if (content.isEmpty()) {
        error(exchange, 404, "no queued message " + path.get(1));
        return;
      }
      try (InputStream in = content.get()) {
        exchange.getResponseHeaders().set("Content-Type", "message/rfc822");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          in.transferTo(out);
        }
      }
    } else {
      error(exchange, 404, "no such route");
    }
  }

  /** Streams the listing: one JSON object per line, written as each message is read. */
  private void list(HttpExchange exchange, Map<String, String> p) throws IOException {
    Instant now = clock.instant();
    QueueFilter filter = new QueueFilter(
        Optional.ofNullable(p.get("connector")),
        Optional.ofNullable(p.get("state")).map(AdminApi::state),
        Optional.ofNullable(p.get("sender")),
        Optional.ofNullable(p.get("recipient")),
        // An age is how far back its time lies: "4h" is four hours before now, as trace reads it.
        Optional.ofNullable(p.get("min-age")).map(t -> Duration.between(time(t, now), now)),
        Optional.ofNullable(p.get("reason")));
    int limit = Optional.ofNullable(p.get("limit")).map(AdminApi::count).orElse(DEFAULT_LIMIT);
    exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      int[] sent = {0};
      if (limit > 0) {
        queue.list(filter, entry -> {
          try {
            out.write(json.writeValueAsBytes(entry));
            out.write('\n');
          } catch (IOException e) {
            return false; // the client went away
          }
          return ++sent[0] < limit;
        });
      }
    }
  }

  /** Message trace: the tracking-log lines that match, as written, one per line (like {@code relay trace --json}). */
  private void search(HttpExchange exchange, Map<String, String> p) throws IOException {
    Instant now = clock.instant();
    Instant until = Optional.ofNullable(p.get("until")).map(t -> time(t, now)).orElse(now);
    Instant since = Optional.ofNullable(p.get("since")).map(t -> time(t, now)).orElse(now.minus(TraceQuery.DEFAULT_WINDOW));
    Set<String> statuses = Optional.ofNullable(p.get("status"))
        .map(s -> Set.of(s.toLowerCase(Locale.ROOT).split("\\s*,\\s*"))).orElse(Set.of());
    TraceQuery query = TraceQuery.window(since, until).withSender(p.get("sender")).withRecipient(p.get("recipient"))
          .withMessageId(p.get("message-id")).withQueueId(p.get("id")).withClient(p.get("client"))
          .withSubject(p.get("subject")).withUser(p.get("user")).withStatuses(statuses)
          .withLimit(Optional.ofNullable(p.get("limit")).map(AdminApi::count).orElse(TraceQuery.DEFAULT_LIMIT));
    streamLines(exchange, out -> trace.search(query, e -> out.accept(e.line())));
  }

  /** One message's timeline (a queue id, a Message-ID or a session id), in order. */
  private void timeline(HttpExchange exchange, String id, Map<String, String> p) throws IOException {
    Instant now = clock.instant();
    Instant until = Optional.ofNullable(p.get("until")).map(t -> time(t, now)).orElse(now);
    Instant since = Optional.ofNullable(p.get("since")).map(t -> time(t, now))
        .or(() -> TrackingSearch.queuedAt(id).map(t -> t.minus(Duration.ofMinutes(10))))
        .orElse(now.minus(TraceQuery.DEFAULT_WINDOW));
    TrackingSearch.Timeline found = trace.timeline(id, since, until);
    if (found.events().isEmpty()) {
      error(exchange, 404, "nothing about " + id + " between " + since + " and " + until);
      return;
    }
    streamLines(exchange, out -> found.events().forEach(e -> out.accept(e.line())));
  }

  private interface LineSource {
    void send(Consumer<String> out) throws IOException;
  }

  private static void streamLines(HttpExchange exchange, LineSource source) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      source.send(line -> {
        try {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      // the client went away
    }
  }

  private static Instant time(String text, Instant now) {
    return TimeArgument.parse(text, now); // its refusal names the forms it takes
  }

  private void act(HttpExchange exchange, List<String> path, Operator operator) throws IOException {
    if (path.size() == 2 && path.getFirst().equals("intake")) {
      intake(exchange, path.get(1), operator);
      return;
    }
    boolean message = path.size() == 3 && path.getFirst().equals("queue");
    boolean connector = path.size() == 3 && path.getFirst().equals("connectors");
    if (!message && !connector) {
      error(exchange, 404, "no such route");
      return;
    }
    String target = URLDecoder.decode(path.get(1), StandardCharsets.UTF_8);
    String name = path.get(2).toLowerCase(Locale.ROOT);
    String action = connector ? name + "-connector" : name;
    if (!operator.mayAct()) {
      audit.record(operator.name(), from(exchange), action, target, false, "refused: read-only token");
      error(exchange, 403, "token '" + operator.name() + "' may only read");
      return;
    }
    Optional<ActionOutcome> outcome;
    if (message) {
      QueueAction what = enumOf(QueueAction.class, name, "retry, hold, release, delete or bounce");
      outcome = Optional.of(queue.act(target, what));
    } else {
      ConnectorAction what = enumOf(ConnectorAction.class, name, "suspend, resume or retry");
      outcome = queue.act(target, what);
    }
    if (outcome.isEmpty()) {
      audit.record(operator.name(), from(exchange), action, target, false, "no such connector");
      error(exchange, 404, "no connector " + target);
      return;
    }
    ActionOutcome o = outcome.get();
    if (message) {
      audit.message(operator.name(), from(exchange), action, target, o.isDone(), o.detail());
    } else {
      audit.record(operator.name(), from(exchange), action, target, o.isDone(), o.detail());
    }
    send(exchange, switch (o.result()) {
      case DONE -> 200;
      case NOT_DONE -> 409;
      case NOT_FOUND -> 404;
    }, o);
  }

  /** Drains the node or opens it again; the answer is the report after the change. */
  private void intake(HttpExchange exchange, String action, Operator operator) throws IOException {
    if (!action.equals("drain") && !action.equals("accept")) {
      error(exchange, 404, "no such route");
      return;
    }
    if (!operator.mayAct()) {
      audit.record(operator.name(), from(exchange), action, "node", false, "refused: read-only token");
      error(exchange, 403, "token '" + operator.name() + "' may only read");
      return;
    }
    boolean changed = action.equals("drain") ? intake.drain(operator.name()) : intake.accept(operator.name());
    String detail = switch (action) {
      case "drain" -> changed ? "drained: new mail gets 421, the queue is still delivered" : "already drained";
      default -> changed ? "accepting new mail" : "already accepting new mail";
    };
    audit.record(operator.name(), from(exchange), action, "node", changed, detail);
    send(exchange, 200, intake.report());
  }

  private static QueueEntry.State state(String text) {
    return enumOf(QueueEntry.State.class, text, "active, deferred, held or suspended");
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String text, String known) {
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not one of " + known);
    }
  }

  private static int count(String text) {
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal
    }
    throw new IllegalArgumentException("limit must be a whole number >= 0, not '" + text + "'");
  }

  /** The request's query parameters, decoded (also read by {@link ClusterApi}). */
  static Map<String, String> parameters(HttpExchange exchange) {
    Map<String, String> out = new HashMap<>();
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length() - 1) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String from(HttpExchange exchange) {
    return exchange.getRemoteAddress().getAddress().getHostAddress();
  }

  private void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void error(HttpExchange exchange, int status, String message) throws IOException {
    send(exchange, status, Map.of("error", message));
  }
}
