package relay.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import relay.server.trace.TraceQuery;

/**
 * The cluster-wide routes of the admin API, under {@code /api/cluster}, behind the same bearer
 * tokens as the rest ({@link AdminAccess}); read-only:
 *
 * <pre>
 * GET /api/cluster                  this node's name and the other live nodes
 * GET /api/cluster/queue/summary    every node's queue summary, and the cluster's totals
 * GET /api/cluster/trace?...        message trace on every node (the parameters of /api/trace),
 *                                   events merged in time order, each with its "node"
 * GET /api/cluster/trace/ID         one message's timeline, from every node
 * </pre>
 *
 * A node that cannot be asked is named in the answer ({@code "error"}) instead of failing it; see
 * {@link ClusterView}. Threading: each request on its own virtual thread; no state per call.
 */
final class ClusterApi implements HttpHandler {

  private final AdminAccess access;
  private final ClusterDirectory directory;
  private final ClusterView view;
  private final ObjectMapper json;

  ClusterApi(AdminAccess access, ClusterDirectory directory, ClusterView view, ObjectMapper json) {
    this.access = access;
    this.directory = directory;
    this.view = view;
    this.json = json;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (access.operator(authorization).isEmpty()) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"relay\"");
        send(exchange, 401, "application/json", json.writeValueAsBytes(
            Map.of("error", "a valid bearer token is needed (Authorization: Bearer TOKEN)")));
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "application/json", json.writeValueAsBytes(Map.of("error", "method not allowed")));
        return;
      }
      String rest = exchange.getRequestURI().getRawPath().substring("/api/cluster".length());
      String query = exchange.getRequestURI().getRawQuery();
      if (rest.isEmpty() || rest.equals("/")) {
        send(exchange, 200, "application/json", json.writeValueAsBytes(Map.of("self", directory.self(),
            "nodes", directory.peers().stream()
                .map(n -> Map.of("node", n.name(), "url", n.admin().map(Object::toString).orElse(""))).toList())));
      } else if (rest.equals("/queue/summary")) {
        send(exchange, 200, "application/json", json.writeValueAsBytes(view.summary(authorization)));
      } else if (rest.equals("/trace") || rest.startsWith("/trace/") && rest.indexOf('/', 7) < 0) {
        String path = "api" + rest + (query == null ? "" : "?" + query);
        List<String> lines = view.trace(path, authorization, limit(exchange));
        send(exchange, 200, "application/x-ndjson", (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"))
            .getBytes(StandardCharsets.UTF_8));
      } else {
        send(exchange, 404, "application/json", json.writeValueAsBytes(Map.of("error", "no such route")));
      }
    }
  }

  /** The {@code limit} parameter of a trace search, else the search's default. */
  private static int limit(HttpExchange exchange) {
    try {
      return Math.max(0, Integer.parseInt(AdminApi.parameters(exchange).getOrDefault("limit",
          Integer.toString(TraceQuery.DEFAULT_LIMIT)).strip()));
    } catch (NumberFormatException e) {
      return TraceQuery.DEFAULT_LIMIT; // each node refuses it with a 400, which the answer names
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
