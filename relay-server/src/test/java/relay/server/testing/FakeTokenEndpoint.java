package relay.server.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import relay.server.outbound.oauth.TokenClient;
import relay.server.tls.PemKeyMaterial;
import relay.server.tls.SelfSignedCertificate;

/**
 * A stand-in for Entra ID's v2.0 token endpoint over real HTTPS on loopback (port 0): checks the
 * client credentials grant as Microsoft does (grant type, tenant, client id, scope, and the client
 * secret or a client assertion verified against the registered certificate), issues opaque random
 * tokens, answers errors in Microsoft's JSON shape, and counts requests.
 *
 * <p>Requests may be held at a gate so that tests can pile up concurrent callers. Thread-safe.
 */
public final class FakeTokenEndpoint implements AutoCloseable {

  public static final String TENANT = "contoso.onmicrosoft.com";
  public static final String SCOPE = "https://outlook.office365.com/.default";

  private final InstantSource clock;
  private final PemKeyMaterial serverKeys;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, X509Certificate> certificates = new ConcurrentHashMap<>();
  private final List<String> issued = new CopyOnWriteArrayList<>();
  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
  private final Map<String, String> clients = new ConcurrentHashMap<>();
  private final java.util.Set<String> scopes = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong expiresIn = new AtomicLong(3599);
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
  private final SecureRandom random = new SecureRandom();
  // application permissions consented per client id: the token's "roles" claim
  private final Map<String, java.util.Set<String>> roles = new ConcurrentHashMap<>();

  /** An endpoint with a fresh certificate (RSA key generation: slow on a busy machine). */
  public FakeTokenEndpoint(InstantSource clock) throws IOException {
    this(clock, serverCertificate());
  }

  /** An endpoint presenting {@code serverKeys} (which must name 127.0.0.1). */
  public FakeTokenEndpoint(InstantSource clock, PemKeyMaterial serverKeys) throws IOException {
    this.clock = clock;
    this.serverKeys = serverKeys;
    scopes.add(SCOPE);
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(serverKeys.keyManagers().getKeyManagers(), null, null);
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A certificate for the endpoint; it names localhost and 127.0.0.1. */
  public static PemKeyMaterial serverCertificate() {
    return SelfSignedCertificate.generate("login.test", Instant.now(), Duration.ofDays(1));
  }

  public void registerSecret(String clientId, String secret) {
    secrets.put(clientId, secret);
  }

  public void registerCertificate(String clientId, X509Certificate certificate) {
    certificates.put(clientId, certificate);
  }

  public void expiresIn(long seconds) {
    expiresIn.set(seconds);
  }

  /** From now on requests wait until {@link #open()}. */
  public void closeGate() {
    gate.set(new CountDownLatch(1));
  }

  public void open() {
    gate.get().countDown();
  }

  public int requests() {
    return requests.get();
  }

  /** Also accepts {@code scope} (besides Exchange Online's), e.g. Microsoft Graph's. */
  public void acceptScope(String scope) {
    scopes.add(scope);
  }

  /**
   * The client id a valid {@code token} was issued to for {@code scope}, or empty when the token is
   * unknown, expired or for another scope (an app-only token carries its app and audience).
   */
  public java.util.Optional<String> clientOf(String token, String scope) {
    String entry = token == null ? null : clients.get(token);
    if (entry == null || !isValid(token) || !entry.endsWith(" " + scope)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(entry.substring(0, entry.indexOf(' ')));
  }

  /** Whether {@code token} was issued here and has not expired by the endpoint's clock. */
  public boolean isValid(String token) {
    Instant expiry = expiries.get(token);
    return expiry != null && clock.instant().isBefore(expiry);
  }

  public List<String> issued() {
    return List.copyOf(issued);
  }

  public URI authority() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  public URI tokenUri() {
    return URI.create(authority() + "/" + TENANT + "/oauth2/v2.0/token");
  }

  /** Writes this endpoint's certificate as a PEM file in {@code dir}, for a client's {@code ca-file}. */
  public Path writeTrustPem(Path dir) throws IOException {
    try {
      String pem = "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(serverKeys.chain().getFirst().getEncoded())
          + "\n-----END CERTIFICATE-----\n";
      return Files.writeString(dir.resolve("login-ca.pem"), pem, StandardCharsets.US_ASCII);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IOException(e);
    }
  }

  /** A client TLS context that trusts this endpoint's certificate only. */
  public SSLContext trust() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("login", serverKeys.chain().getFirst());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  @Override
  public void close() {
    open();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      if (!gate.get().await(30, TimeUnit.SECONDS)) {
        throw new IOException("gate never opened");
      }
      Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      Refusal refusal = check(exchange, form);
      if (refusal != null) {
        reply(exchange, refusal.status(), refusal.json());
        return;
      }
      String token = jwt(form.getOrDefault("client_id", ""), form.get("scope"));
      issued.add(token);
      clients.put(token, form.getOrDefault("client_id", "") + " " + form.get("scope"));
      expiries.put(token, clock.instant().plusSeconds(expiresIn.get()));
      reply(exchange, 200, JsonNodeFactory.instance.objectNode()
          .put("token_type", "Bearer")
          .put("expires_in", expiresIn.get())
          .put("ext_expires_in", expiresIn.get())
          .put("access_token", token)
          .toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Refusal check(HttpExchange exchange, Map<String, String> form) {
    if (!"POST".equals(exchange.getRequestMethod())) {
      return refuse(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
    }
    if (!exchange.getRequestURI().getPath().equals("/" + TENANT + "/oauth2/v2.0/token")) {
      return refuse(400, "invalid_tenant", 90002, "Tenant not found.");
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    if (!scopes.contains(form.get("scope"))) {
      return refuse(400, "invalid_scope", 1002012, "The provided value for scope is not valid.");
    }
    String clientId = form.getOrDefault("client_id", "");
    if (form.containsKey("client_secret")) {
      String registered = secrets.get(clientId);
      if (registered == null) {
        return refuse(400, "unauthorized_client", 700016, "Application with identifier was not found in the directory.");
      }
      return registered.equals(form.get("client_secret"))
          ? null
          : refuse(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.");
    }
    if (TokenClient.JWT_BEARER.equals(form.get("client_assertion_type")) && form.containsKey("client_assertion")) {
      X509Certificate registered = certificates.get(clientId);
      if (registered == null) {
        return refuse(400, "unauthorized_client", 700016, "Application with identifier was not found in the directory.");
      }
      String problem = AssertionCheck.problem(
          form.get("client_assertion"), tokenUri(), clientId, registered, clock.instant());
      return problem == null ? null : refuse(401, "invalid_client", 700027, "Client assertion failed signature validation. " + problem);
    }
    return refuse(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  private record Refusal(int status, String json) {}

  private Refusal refuse(int status, String error, long code, String text) {
    String trace = UUID.randomUUID().toString();
    String correlation = UUID.randomUUID().toString();
    String timestamp = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace('T', ' ');
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("error", error)
        .put("error_description", "AADSTS" + code + ": " + text + " Trace ID: " + trace
            + " Correlation ID: " + correlation + " Timestamp: " + timestamp);
    body.putArray("error_codes").add(code);
    return new Refusal(status, body
        .put("timestamp", timestamp)
        .put("trace_id", trace)
        .put("correlation_id", correlation)
        .put("error_uri", "https://login.microsoftonline.com/error?code=" + code)
        .toString());
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  /**
   * A token shaped like Entra ID's app-only access tokens: a JWT whose payload carries {@code aud},
   * {@code appid}, {@code roles} (the consented application permissions) and {@code exp}. The
   * signature is random bytes: the fakes know their tokens by value, and Relay never verifies one.
   */
  private String jwt(String clientId, String scope) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    ObjectNode header = JsonNodeFactory.instance.objectNode().put("typ", "JWT").put("alg", "RS256");
    ObjectNode payload = JsonNodeFactory.instance.objectNode()
        .put("aud", scope == null ? "" : scope.replace("/.default", ""))
        .put("appid", clientId)
        .put("tid", TENANT)
        .put("jti", b64.encodeToString(bytes(12)))
        .put("exp", clock.instant().plusSeconds(expiresIn.get()).getEpochSecond());
    var granted = payload.putArray("roles");
    roles.getOrDefault(clientId, java.util.Set.of()).forEach(granted::add);
    return b64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(bytes(64));
  }

  /** Consents the application permission {@code role} (e.g. {@code Mail.Send}) for the client: later tokens carry it. */
  public void grantRole(String clientId, String role) {
    roles.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet()).add(role);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store, no-cache");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
