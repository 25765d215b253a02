package relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The admin HTTP endpoint: {@code /metrics} (Prometheus text format) and {@code /healthz}. Bound to
 * loopback by default; it exposes no secrets and accepts only GET/HEAD.
 *
 * <p>Threading: requests run on virtual threads; {@link #close()} stops the server.
 */
public final class AdminServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param address where to listen (port 0 picks a free port)
   * @param registry the registry scraped on {@code /metrics}
   * @param healthy whether {@code /healthz} answers 200 (else 503)
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy)
      throws IOException {
    this(address, registry, healthy, HeldMail.NONE);
  }

  /**
   * With {@code /queue/held} (GET: held mail with its reason, one line each) and
   * {@code /queue/release?id=ID} (POST: put it back into delivery).
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy, HeldMail held)
      throws IOException {
    server = HttpServer.create(address, 64);
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext(
        "/healthz",
        exchange -> {
          boolean ok = healthy.getAsBoolean();
          respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "unavailable\n");
        });
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
