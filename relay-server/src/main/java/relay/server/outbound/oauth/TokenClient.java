package relay.server.outbound.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import relay.core.connector.Secret;
import relay.core.connector.UpstreamHost;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import relay.server.tls.PemKeyMaterial;

/**
 * Asks a token endpoint for an app-only token with the OAuth 2.0 client credentials grant: one form
 * POST over HTTPS (certificate and host name verified by the JDK), authenticated by the client
 * secret or by a {@link ClientAssertion}. Successful replies become an {@link AccessToken}; anything
 * else a {@link TokenException} for the operator.
 *
 * <p>No caching here: that is {@link TokenSource}'s job. Thread-safe (the JDK HttpClient is); each
 * call blocks its thread, so call it from a virtual thread. Owns the HTTP client it is given:
 * {@link #close} ends it.
 */
public final class TokenClient implements AutoCloseable {

  public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  // Reads replies only; like a compiled Pattern it holds no state between calls and is thread-safe.
  private static final ObjectMapper JSON = new ObjectMapper();

  // token replies are a few kilobytes; a larger body is not one
  private static final int MAX_BODY = 64 * 1024;

  private final HttpClient http;
  private final InstantSource clock;
  private final Duration requestTimeout;

  /**
   * @param http the client (see {@link #httpClient}); shared by all endpoints
   * @param clock for the assertion times and the token's expiry
   * @param requestTimeout the longest wait for a reply once connected
   */
  public TokenClient(HttpClient http, InstantSource clock, Duration requestTimeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /**
   * Ends the HTTP client: its connections and its selector thread, which would otherwise live until
   * the client is garbage-collected (one more per reload). A call still running fails.
   */
  @Override
  public void close() {
    http.shutdownNow();
  }

  /**
   * An HTTP client for token requests: HTTP/1.1, no redirects (a redirected credential is a leaked
   * credential), the given trust ({@code SSLContext.getDefault()} for the JDK's CA certificates) and
   * connect timeout. Host names are always verified.
   */
  public static HttpClient httpClient(SSLContext trust, Duration connectTimeout) {
    return httpClient(trust, connectTimeout, null);
  }

  /**
   * As {@link #httpClient(SSLContext, Duration)}, through the HTTP proxy {@code proxy} when it is not
   * null: every request (all are https) opens a tunnel with {@code CONNECT host:443}, so TLS stays end
   * to end and the proxy sees only the host name. The proxy is used for every host, loopback
   * included: a site that configures one has no direct route.
   */
  public static HttpClient httpClient(SSLContext trust, Duration connectTimeout, UpstreamHost proxy) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .sslContext(trust)
        .connectTimeout(connectTimeout);
    if (proxy != null) {
      builder.proxy(ProxySelector.of(InetSocketAddress.createUnresolved(proxy.host(), proxy.port())));
    }
    return builder.build();
  }

  /**
   * The trust for a token endpoint: the CA certificates in the PEM bundle {@code caFile} only, or
   * the JDK's CA certificates when {@code caFile} is null.
   *
   * @throws IOException when the bundle cannot be read or holds no certificate
   */
  public static SSLContext trust(Path caFile) throws IOException {
    try {
      if (caFile == null) {
        return SSLContext.getDefault();
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(PemKeyMaterial.trustStore(caFile));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust the CA certificates in " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** Requests a fresh token; blocks until the reply or the timeout. */
  public AccessToken request(TokenEndpoint endpoint) throws TokenException {
    URI uri = endpoint.tokenUri();
    Instant sentAt = clock.instant();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form(endpoint, sentAt)))
            .build();
    HttpResponse<InputStream> response;
    String body;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
          throw new TokenException(
              "token endpoint " + uri + " answered HTTP " + response.statusCode()
                  + " with a reply over " + MAX_BODY + " bytes", null, null);
        }
        body = new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new TokenException("cannot reach token endpoint " + uri + ": " + e, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenException("interrupted while asking token endpoint " + uri, null, e);
    }
    if (response.statusCode() != 200) {
      throw refusal(endpoint, uri, response.statusCode(), body);
    }
    return token(uri, body, sentAt);
  }

  private static String form(TokenEndpoint endpoint, Instant now) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("grant_type", "client_credentials");
    fields.put("client_id", endpoint.clientId());
    fields.put("scope", endpoint.scope());
    switch (endpoint.credential()) {
      case ClientSecret secret -> fields.put("client_secret", secret.secret().reveal());
      case ClientCertificate certificate -> {
        fields.put("client_assertion_type", JWT_BEARER);
        fields.put("client_assertion", ClientAssertion.create(endpoint, certificate, now));
      }
    }
    StringBuilder out = new StringBuilder();
    fields.forEach(
        (name, value) ->
            out.append(out.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return out.toString();
  }

  private static AccessToken token(URI uri, String body, Instant sentAt) throws TokenException {
    try {
      JsonNode reply = object(body);
      JsonNode token = reply.path("access_token");
      if (!token.isTextual() || token.asText().isEmpty()) {
        throw new IllegalArgumentException("no access_token");
      }
      String type = reply.path("token_type").isTextual() ? reply.get("token_type").asText() : "Bearer";
      if (!type.toLowerCase(Locale.ROOT).equals("bearer")) {
        throw new IllegalArgumentException("token_type is not Bearer");
      }
      long seconds = expiresIn(reply.path("expires_in"));
      return new AccessToken(Secret.of(token.asText()), type, sentAt, sentAt.plusSeconds(seconds));
    } catch (IllegalArgumentException | ArithmeticException e) {
      // the message never quotes the body: it may hold the token
      throw new TokenException(
          "token endpoint " + uri + " answered HTTP 200 without a usable token: " + e.getMessage(),
          null, null);
    }
  }

  /** The body as a JSON object; anything else is an {@link IllegalArgumentException} that quotes nothing. */
  private static JsonNode object(String body) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return node;
  }

  // Entra ID v2 sends a number; v1 and some proxies send the number as a string
  private static long expiresIn(JsonNode value) {
    BigDecimal seconds;
    if (value.isNumber()) {
      seconds = value.decimalValue();
    } else if (value.isTextual() && value.asText().matches("[0-9]{1,9}")) {
      seconds = new BigDecimal(value.asText());
    } else {
      throw new IllegalArgumentException("no expires_in");
    }
    long whole = seconds.longValueExact();
    if (whole <= 0) {
      throw new IllegalArgumentException("expires_in is not positive");
    }
    return whole;
  }

  private static TokenException refusal(TokenEndpoint endpoint, URI uri, int status, String body) {
    String masked = mask(endpoint, body);
    TokenErrorReply reply;
    try {
      JsonNode json = object(masked);
      List<Long> codes = new ArrayList<>();
      for (JsonNode item : json.path("error_codes")) {
        if (item.isNumber()) {
          codes.add(item.longValue());
        }
      }
      reply =
          new TokenErrorReply(
              status,
              text(json, "error"),
              text(json, "error_description"),
              codes,
              text(json, "timestamp"),
              text(json, "trace_id"),
              text(json, "correlation_id"));
    } catch (IllegalArgumentException notJson) {
      // a proxy or load balancer page: show its start, it is the best clue there is
      String start = masked.length() > 200 ? masked.substring(0, 200) + "..." : masked;
      reply = new TokenErrorReply(status, "", oneLine(start), List.of(), "", "", "");
    }
    return new TokenException(
        "token endpoint " + uri + " refused a token for " + endpoint.describe() + ": "
            + reply.summary(), reply, null);
  }

  private static String text(JsonNode json, String name) {
    JsonNode value = json.path(name);
    return value.isMissingNode() || value.isNull() ? "" : oneLine(value.isTextual() ? value.asText() : value.toString());
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\p{Cntrl}]+", " ").strip();
  }

  /** Defence in depth: should an endpoint ever echo the secret, it still goes no further. */
  private static String mask(TokenEndpoint endpoint, String body) {
    return switch (endpoint.credential()) {
      case ClientSecret secret -> body.replace(secret.secret().reveal(), "****");
      case ClientCertificate ignored -> body;
    };
  }
}
