package relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

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
            held.describe().stream().map(line -> line + "\n").reduce("", String::concat)));
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
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String query = exchange.getRequestURI().getQuery();
      String id = query != null && query.startsWith("id=") ? query.substring(3) : "";
      boolean released = !id.isEmpty() && held.release(id);
      byte[] body = (released ? "released " + id + "\n" : "no held message " + id + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(released ? 200 : 404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
