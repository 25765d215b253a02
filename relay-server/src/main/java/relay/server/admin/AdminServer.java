package relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.time.InstantSource;
import relay.server.health.HealthChecks;
import relay.server.trace.TrackingSearch;

/**
 * The admin HTTP endpoint: {@code /metrics} (Prometheus text format), {@code /healthz} (alive: the
 * relay is still doing its work) and {@code /readyz} (ready: it can take mail and account for it).
 * The two checks endpoints answer one line per check, {@code ok NAME}, {@code degraded NAME:
 * REASON} (works, in a reduced way; does not fail) or {@code fail NAME: REASON}, with 200 when none
 * fails and 503 otherwise; a check that does not answer within {@value #CHECK_SECONDS} s fails. The admin API ({@link AdminApi}, {@code /api/}) needs a bearer token,
 * and so does {@code /metrics} when it is not open; with the API, {@code /} serves the web console
 * ({@link Console}), whose script uses that API. Bound to loopback by default; it exposes no
 * secrets. Over HTTPS when given a TLS context (the tokens then never cross the network in clear).
 *
 * <p>Threading: requests run on virtual threads, and so does each check; the API's calls, which can be
 * long CPU work, run on a few platform threads ({@link ApiWorkers}); {@link #close()} stops the
 * server.
 */
public final class AdminServer implements AutoCloseable {

  /** Longer than any check's own wait (the event-loop check waits 2 s), short enough for a probe. */
  private static final int CHECK_SECONDS = 3;
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ApiWorkers apiWorkers;

  /** Health and metrics only, metrics open: for tests of those endpoints. */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, HealthChecks checks)
      throws IOException {
    this(address, registry, checks, null, null, true);
  }

  /**
   * @param address where to listen (port 0 picks a free port)
   * @param registry the registry scraped on {@code /metrics}
   * @param checks what {@code /healthz} and {@code /readyz} report on
   * @param access who may call the API ({@code /api/}); null: no API
   * @param api the API's handler ({@link #api}); null: no API
   * @param metricsOpen whether {@code /metrics} answers without a token
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, HealthChecks checks,
      AdminAccess access, HttpHandler api, boolean metricsOpen) throws IOException {
    this(address, registry, checks, access, api, metricsOpen, null);
  }

  /**
   * As above, over HTTPS with {@code tls} (TLS 1.2 and 1.3 only); null: plain HTTP.
   */
  public AdminServer(InetSocketAddress address, PrometheusMeterRegistry registry, HealthChecks checks,
      AdminAccess access, HttpHandler api, boolean metricsOpen, SSLContext tls) throws IOException {
    // Without TCP_NODELAY the JDK's server waits on Nagle and delayed ACKs: about 45 ms on every
    // answer to a client that waits for it (measured with the JDK's HTTP client: /metrics 52 ms, 5 ms
    // with it; curl does not show it). The JDK reads this once, when its first server starts.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    if (tls == null) {
      server = HttpServer.create(address, 64);
    } else {
      HttpsServer https = HttpsServer.create(address, 64);
      https.setHttpsConfigurator(new HttpsConfigurator(tls) {
        @Override
        public void configure(HttpsParameters parameters) {
          SSLParameters modern = tls.getDefaultSSLParameters();
          modern.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
          parameters.setSSLParameters(modern);
        }
      });
      server = https;
    }
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> {
      if (!metricsOpen && (access == null
          || access.operator(exchange.getRequestHeaders().getFirst("Authorization")).isEmpty())) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"relay\"");
        respond(exchange, 401, "text/plain; charset=utf-8", "a valid bearer token is needed for /metrics\n");
        return;
      }
      respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    });
    Duration deadline = Duration.ofSeconds(CHECK_SECONDS);
    Checkup alive = new Checkup(checks.alive(), deadline, executor);
    Checkup ready = new Checkup(checks.ready(), deadline, executor);
    server.createContext("/healthz", exchange -> answer(exchange, alive));
    server.createContext("/readyz", exchange -> answer(exchange, ready));
    apiWorkers = api == null ? null : new ApiWorkers(api, ApiWorkers.THREADS, ApiWorkers.WAITING);
    if (apiWorkers != null) {
      server.createContext("/api/", apiWorkers);
    }
    // The web console's files (no data, no token needed) where there is an API for it to use.
    server.createContext("/", api != null ? new Console()
        : exchange -> respond(exchange, 404, "text/plain; charset=utf-8", "not found\n"));
    server.start();
  }

  /**
   * The admin API's handler over {@code queue}, the node's {@code intake} and the tracking log ({@code trace}), with every
   * change written to {@code audit}.
   */
  public static HttpHandler api(AdminAccess access, QueueOperations queue, IntakeOperations intake, AuditLog audit,
      TrackingSearch trace, InstantSource clock) {
    return new AdminApi(access, queue, intake, audit, trace, clock);
  }

  /**
   * Serves the cluster-wide views ({@code /api/cluster}, {@link ClusterApi}) over this node and the
   * nodes {@code directory} names, asking each with {@code http}.
   */
  public void serveCluster(AdminAccess access, ClusterDirectory directory, HttpClient http) {
    ObjectMapper json = new ObjectMapper();
    server.createContext("/api/cluster",
        new ClusterApi(access, directory, new ClusterView(directory, selfUrl(), http, json), json));
  }

  /** Where this node reaches its own endpoint: its address, or loopback when bound to every address. */
  private URI selfUrl() {
    InetSocketAddress bound = server.getAddress();
    InetAddress host = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound.getAddress();
    String literal = host.getHostAddress();
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":" + bound.getPort() + "/");
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
    if (apiWorkers != null) {
      apiWorkers.close();
    }
    executor.close();
  }
}
