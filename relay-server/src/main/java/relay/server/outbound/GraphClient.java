package relay.server.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.delivery.GraphAnswer;
import relay.server.outbound.oauth.AccessToken;
import relay.server.outbound.oauth.TokenClient;

/**
 * The HTTP side of a {@code graph} connector: one {@code POST {graph}/v1.0/users/{mailbox}/sendMail}
 * with a {@code text/plain} body, answered as a {@link GraphAnswer} (status, Microsoft's error code
 * and message, {@code Retry-After} in seconds). Same client rules as the token endpoint's: HTTP/1.1,
 * no redirects, verified host names, the connector's CA bundle and {@code https-proxy}.
 *
 * <p>What an answer means is not decided here: that is the {@link relay.core.delivery.ReplyClassifier}'s.
 * The token travels only in the {@code Authorization} header, never into an answer or a log line.
 *
 * <p>Threading: safe for concurrent use; calls block, so run them on virtual threads.
 */
public final class GraphClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutboundConnector.Graph connector;
  private final HttpClient http;

  /**
   * @throws IOException when the connector's CA bundle cannot be read
   */
  public GraphClient(OutboundConnector.Graph connector) throws IOException {
    this.connector = connector;
    this.http = TokenClient.httpClient(TokenClient.trust(connector.caBundle()), connector.connectTimeout(),
        connector.httpsProxy());
  }

  /** Ends the HTTP client (connections and selector thread); a request still running fails. */
  @Override
  public void close() {
    http.shutdownNow();
  }

  /** Posts {@code body} (the base64 MIME message) to the mailbox's {@code sendMail}; blocks for the answer. */
  public GraphAnswer sendMail(String mailbox, AccessToken token, byte[] body) throws IOException, InterruptedException {
    URI uri = URI.create(connector.graphUrl() + "/v1.0/users/"
        + URLEncoder.encode(mailbox, StandardCharsets.UTF_8).replace("+", "%20") + "/sendMail");
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(connector.readTimeout())
        .header("Authorization", "Bearer " + token.value().reveal())
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return answer(response.statusCode(), response.body(), response.headers().firstValue("Retry-After")
        .flatMap(value -> retryAfter(value, response.headers().firstValue("Date"))).orElse(null));
  }

  /** Microsoft's error body, {@code {"error":{"code":"...","message":"..."}}}; anything else is kept short. */
  static GraphAnswer answer(int status, byte[] body, Duration retryAfter) {
    String code = "";
    String message = "";
    if (body != null && body.length > 0) {
      try {
        JsonNode error = JSON.readTree(body).path("error");
        code = error.path("code").asText("");
        message = error.path("message").asText("");
      } catch (IOException e) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        message = text.length() > 200 ? text.substring(0, 200) + "..." : text;
      }
    }
    return new GraphAnswer(status, code, message, retryAfter);
  }

  /**
   * How long {@code Retry-After} asks to wait: delay-seconds, or an HTTP date, which is read against
   * the answer's own {@code Date} (so that this host's clock, possibly off, plays no part); empty
   * when it cannot be read (the mailbox's own throttle-pause applies).
   */
  static Optional<Duration> retryAfter(String value, Optional<String> date) {
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
    } catch (NumberFormatException e) {
      // not seconds: an HTTP date, below
    }
    try {
      ZonedDateTime until = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
      return date.map(d -> ZonedDateTime.parse(d.strip(), DateTimeFormatter.RFC_1123_DATE_TIME))
          .map(sent -> Duration.between(sent, until))
          .map(wait -> wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
