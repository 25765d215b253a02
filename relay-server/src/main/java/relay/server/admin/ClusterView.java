package relay.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The cluster-wide views of the admin API: every node's queue summary, and message trace over
 * every node's tracking log. Each node (this one included, at its own address) is asked through
 * its admin API, all in parallel, with the caller's own bearer token: a token is worth on a peer
 * what that peer's configuration makes it, never more. A node that does not answer within {@link
 * #PER_NODE} is listed with the reason; it never fails the whole answer and is never left out
 * silently.
 *
 * <p>Threading: safe for concurrent use; each call waits for its own requests.
 */
final class ClusterView {

  /** How long one node may take. */
  static final Duration PER_NODE = Duration.ofSeconds(5);
  /** Most trace events one cluster search returns (each node is asked for as many). */
  static final int MOST_EVENTS = 10_000;

  private final ClusterDirectory directory;
  private final URI self;
  private final HttpClient http;
  private final ObjectMapper json;

  /**
   * @param self this node's own admin endpoint, as it can reach itself (loopback)
   * @param http the client for the requests (its TLS settings trust the nodes' admin certificates)
   */
  ClusterView(ClusterDirectory directory, URI self, HttpClient http, ObjectMapper json) {
    this.directory = directory;
    this.self = self;
    this.http = http;
    this.json = json;
  }

  /** A node's answer: its body, or why there is none. */
  private record Answer(ClusterPeer node, String body, String error) {}

  /**
   * Every node's {@code /api/queue/summary}, and the cluster's totals (messages, and per connector
   * the active, deferred and held ones and the oldest arrival).
   */
  ObjectNode summary(String authorization) {
    ObjectNode out = json.createObjectNode();
    ArrayNode nodes = out.putArray("nodes");
    long total = 0;
    int unreachable = 0;
    Map<String, ObjectNode> connectors = new LinkedHashMap<>();
    for (Answer a : ask("api/queue/summary", authorization)) {
      ObjectNode node = nodes.addObject().put("node", a.node().name())
          .put("url", a.node().admin().map(URI::toString).orElse(null));
      JsonNode summary = a.error() == null ? parse(a.body()) : null;
      if (summary == null) {
        node.put("error", a.error() != null ? a.error() : "unreadable answer");
        unreachable++;
        continue;
      }
      node.set("summary", summary);
      total += summary.path("total").asLong();
      for (JsonNode c : summary.path("connectors")) {
        ObjectNode sum = connectors.computeIfAbsent(c.path("connector").asText(), name -> json.createObjectNode()
            .put("connector", name).put("active", 0L).put("deferred", 0L).put("held", 0L).putNull("oldest"));
        for (String field : List.of("active", "deferred", "held")) {
          sum.put(field, sum.path(field).asLong() + c.path(field).asLong());
        }
        sum.set("oldest", earlier(sum.get("oldest"), c.get("oldest")));
      }
    }
    out.put("total", total);
    out.putArray("connectors").addAll(connectors.values());
    out.put("unreachable", unreachable);
    return out;
  }

  /**
   * Message trace over every node: {@code path} ({@code api/trace?...} or {@code api/trace/ID}) on
   * each, the events tagged with their node ({@code "node"}) and merged in time order, at most
   * {@code limit}. Nodes that could not be asked come first, as {@code {"node": ..., "error": ...}}
   * lines; a node with nothing to show (404 on a timeline) is not an error.
   */
  List<String> trace(String path, String authorization, int limit) {
    List<String> errors = new ArrayList<>();
    List<ObjectNode> events = new ArrayList<>();
    for (Answer a : ask(path, authorization)) {
      if (a.error() != null) {
        errors.add(json.createObjectNode().put("node", a.node().name()).put("error", a.error()).toString());
        continue;
      }
      for (String line : a.body().split("\n")) {
        if (parse(line) instanceof ObjectNode event && event.hasNonNull("at")) {
          events.add(event.put("node", a.node().name()));
        }
      }
    }
    events.sort(Comparator.comparing((ObjectNode e) -> instant(e.path("at").asText())));
    List<String> lines = new ArrayList<>(errors);
    events.stream().limit(Math.min(limit, MOST_EVENTS)).forEach(e -> lines.add(e.toString()));
    return lines;
  }

  /** Asks every node (this one first) for {@code path}, all at once, waiting at most {@link #PER_NODE} each. */
  private List<Answer> ask(String path, String authorization) {
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    ClusterPeer me = new ClusterPeer(directory.self(), self);
    pending.add(ask(me, path, authorization));
    try {
      directory.peers().forEach(peer -> pending.add(ask(peer, path, authorization)));
    } catch (RuntimeException e) {
      pending.add(CompletableFuture.completedFuture(new Answer(new ClusterPeer("(other nodes)", self), null,
          "the list of nodes could not be read: " + e.getMessage())));
    }
    return pending.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<Answer> ask(ClusterPeer node, String path, String authorization) {
    if (node.admin().isEmpty()) {
      return CompletableFuture.completedFuture(new Answer(node, null,
          "the node advertises no admin URL (its cluster.admin-url)"));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(node.admin().get().resolve(path)).timeout(PER_NODE).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .handle((response, failure) -> failure != null
            ? new Answer(node, null, reason(failure))
            : switch (response.statusCode()) {
              case 200 -> new Answer(node, response.body(), null);
              case 404 -> new Answer(node, "", null); // nothing about it there
              default -> new Answer(node, null, refusal(response));
            });
  }

  private String refusal(HttpResponse<String> response) {
    JsonNode body = parse(response.body());
    String said = body != null && body.hasNonNull("error") ? ": " + body.get("error").asText() : "";
    return switch (response.statusCode()) {
      case 401 -> "401: the token is not valid on this node (give every node the same relay.admin.tokens)";
      case 403 -> "403: the token's role may not read here" + said;
      default -> response.statusCode() + said;
    };
  }

  private static String reason(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof HttpTimeoutException) {
      return "no answer within " + PER_NODE.toSeconds() + " s";
    }
    String message = cause.getMessage();
    return "unreachable (" + cause.getClass().getSimpleName() + (message == null ? "" : ": " + message) + ")";
  }

  private JsonNode parse(String text) {
    try {
      return text == null || text.isBlank() ? null : json.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static JsonNode earlier(JsonNode a, JsonNode b) {
    if (a == null || a.isNull()) {
      return b;
    }
    if (b == null || b.isNull()) {
      return a;
    }
    return instant(a.asText()).isAfter(instant(b.asText())) ? b : a;
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (RuntimeException e) {
      return Instant.MAX;
    }
  }
}
