package relay.server.main;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import relay.server.trace.TracedEvent;

/**
 * {@code relay trace --cluster}: the search or timeline of {@link TraceCommand}, asked of a running
 * node's {@code /api/cluster/trace}, which asks every node of the cluster. Prints what {@link
 * TraceText} prints, with the node of each event in front (a timeline says the node when it
 * changes); nodes that did not answer are named on
 * stderr. One instance per command.
 */
final class ClusterTrace {

  private final AdminClient client;
  private final ObjectMapper json = new ObjectMapper();

  ClusterTrace(AdminClient client) {
    this.client = client;
  }

  /** The query of a search (the names {@code /api/trace} takes), without empty ones. */
  static String query(Map<String, String> parameters) {
    StringBuilder q = new StringBuilder();
    new LinkedHashMap<>(parameters).forEach((name, value) -> {
      if (value != null && !value.isBlank()) {
        q.append(q.isEmpty() ? "" : "&").append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    return q.toString();
  }

  /**
   * Runs the search ({@code id} null) or the timeline of {@code id}; returns how many events were
   * printed.
   *
   * @throws IllegalStateException when the node refused (the message says why)
   */
  int run(String id, String query, boolean asJson, boolean timeline, PrintWriter out, PrintWriter err) throws IOException {
    String path = "api/cluster/trace" + (id == null ? "" : "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))
        + (query.isEmpty() ? "" : "?" + query);
    HttpResponse<InputStream> response = client.get(path);
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        throw new IllegalStateException(json.readTree(in).path("error").asText("HTTP " + response.statusCode()));
      }
    }
    if (!asJson && !timeline) {
      out.printf("%-14s ", "NODE");
      TraceText.header(out);
    }
    int shown = 0;
    String lastNode = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank() || !(json.readTree(line) instanceof ObjectNode fields)) {
          continue;
        }
        String node = fields.path("node").asText("?");
        if (fields.has("error") && !fields.has("event")) {
          err.println("relay trace: node " + node + " did not answer: " + fields.get("error").asText());
          continue;
        }
        shown++;
        if (asJson) {
          out.println(line);
          continue;
        }
        TracedEvent event = new TracedEvent(Instant.parse(fields.path("at").asText()), fields.path("event").asText(),
            fields, line);
        if (timeline) {
          // A timeline's events span lines: the node is said whenever it changes.
          if (!node.equals(lastNode)) {
            out.println("on " + node + ":");
            lastNode = node;
          }
          TraceText.timeline(out, event);
        } else {
          out.printf("%-14s ", node.length() > 14 ? node.substring(0, 13) + "~" : node);
          TraceText.row(out, event);
        }
      }
    }
    return shown;
  }
}
