package relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import relay.server.health.HealthChecks;

/**
 * The admin HTTP endpoint: {@code /metrics} (Prometheus text format), {@code /healthz} (alive: the
 * relay is still doing its work) and {@code /readyz} (ready: it can take mail and account for it).
 * The two checks endpoints answer one line per check, {@code ok NAME} or {@code fail NAME:
 * REASON}, with 200 when all pass and 503 otherwise; a check that does not answer within {@value
 * #CHECK_SECONDS} s fails. Bound to loopback by default; it exposes no secrets and accepts only
 * GET/HEAD (and POST for a release).
 *
 * <p>Threading: requests run on virtual threads, and so does each check; {@link #close()} stops the
 * server.
 */
public final class AdminServer implements AutoCloseable {

  /** Longer than any check's own wait (the event-loop check waits 2 s), short enough for a probe. */
  private static final int CHECK_SECONDS = 3;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param address where to listen (port 0 picks a free port)
   * @param registry the registry scraped on {@code /metrics}
   * @param checks what {@code /healthz} and {@code /readyz} report on
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, HealthChecks checks)
      throws IOException {
    this(address, registry, checks, HeldMail.NONE);
  }

  /**
   * With {@code /queue/held} (GET: held mail with its reason, one line each) and
   * {@code /queue/release?id=ID} (POST: put it back into delivery).
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, HealthChecks checks, HeldMail held)
      throws IOException {
    server = HttpServer.create(address, 64);
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    Duration deadline = Duration.ofSeconds(CHECK_SECONDS);
    Checkup alive = new Checkup(checks.alive(), deadline, executor);
    Checkup ready = new Checkup(checks.ready(), deadline, executor);
    server.createContext("/healthz", exchange -> answer(exchange, alive));
    server.createContext("/readyz", exchange -> answer(exchange, ready));
    server.createContext(
        "/queue/held",
        exchange -> respond(exchange, 200, "text/plain; charset=utf-8",
            held.describe().stream().map(line -> line + "\n").collect(Collectors.joining())));
    server.createContext("/queue/release", exchange -> release(exchange, held));
    server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8", "not found\n"));
    server.start();
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(HttpExchange exchange, Checkup checkup) throws IOException {
    try (exchange) {
      if (!refused(exchange, "GET", "HEAD")) {
        Checkup.Answer answer = checkup.run();
        send(exchange, answer.status(), "text/plain; charset=utf-8", answer.body());
      }
    }
  }

  private static void release(HttpExchange exchange, HeldMail held) throws IOException {
    try (exchange) {
      if (refused(exchange, "POST")) {
        return;
      }
      String query = exchange.getRequestURI().getQuery();
      String id = query != null && query.startsWith("id=") ? query.substring(3) : "";
      boolean released = !id.isEmpty() && held.release(id);
      send(exchange, released ? 200 : 404, "text/plain; charset=utf-8",
          released ? "released " + id + "\n" : "no held message " + id + "\n");
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    try (exchange) {
      if (!refused(exchange, "GET", "HEAD")) {
        send(exchange, status, type, body);
      }
    }
  }

  /** Answers 405 and returns true when the request's method is not one of {@code allowed}. */
  private static boolean refused(HttpExchange exchange, String... allowed) throws IOException {
    if (List.of(allowed).contains(exchange.getRequestMethod())) {
      return false;
    }
    exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
    exchange.sendResponseHeaders(405, -1);
    return true;
  }

  /** Sends {@code body} (headers only for HEAD). */
  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
