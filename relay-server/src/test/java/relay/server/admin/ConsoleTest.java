package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.connector.Secret;
import relay.server.health.Check;
import relay.server.health.CheckResult;
import relay.server.health.HealthChecks;

/**
 * The web console at {@code /} of the admin endpoint: its three files, served without a token with
 * their types, revalidation and security headers; nothing else, however the path is spelled; and
 * files that keep to the Content-Security-Policy (no inline script or style, nothing from another
 * origin) and never turn data into HTML.
 */
class ConsoleTest {

  private static final String API_ANSWER = "{\"api\":true}";

  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    HealthChecks checks = new HealthChecks(List.of(new Check("relay", CheckResult::ok)), List.of());
    AdminAccess access = new AdminAccess(List.of(), Secret.of("local-token-for-the-test"));
    server = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), checks, access, exchange -> {
          try (exchange) {
            byte[] body = API_ANSWER.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        }, true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> request(String method, String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return request("GET", path, Map.of());
  }

  /** The status line's code for a request line sent byte for byte, as no client library would. */
  private int rawStatus(String target) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).as("answer to %s", target).startsWith("HTTP/1.1 ");
      return Integer.parseInt(answer.substring(9, 12));
    }
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = Console.class.getResourceAsStream("console/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertSecurityHeaders(HttpResponse<?> response) {
    assertThat(response.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
        .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
            "object-src 'none'", "base-uri 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "*", "http:", "https:", "data:"));
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
  }

  @Test
  void theRootWithoutATokenServesTheSignInPage() throws Exception {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(page.headers().firstValue("ETag")).isPresent();
    assertSecurityHeaders(page);
    assertThat(page.body()).isEqualTo(resource("index.html"))
        .contains("<form id=\"login-form\" method=\"post\"", "type=\"password\"",
            "<script src=\"/console.js\" defer></script>", "<link rel=\"stylesheet\" href=\"/console.css\">");
  }

  @Test
  void theScriptAndTheStyleSheetComeWithTheirTypesAndHeaders() throws Exception {
    HttpResponse<String> script = get("/console.js");
    HttpResponse<String> style = get("/console.css");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).isEqualTo(resource("console.js"));
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    assertThat(style.body()).isEqualTo(resource("console.css"));
    for (HttpResponse<String> r : List.of(script, style)) {
      assertSecurityHeaders(r);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }
  }

  @Test
  void anUnchangedFileIsRevalidatedWithA304() throws Exception {
    String etag = get("/console.js").headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again = request("GET", "/console.js", Map.of("If-None-Match", etag));

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(request("GET", "/console.js", Map.of("If-None-Match", "\"something-else\"")).statusCode()).isEqualTo(200);
  }

  @Test
  void headAnswersWithoutABodyAndOtherMethodsAreRefused() throws Exception {
    HttpResponse<String> head = request("HEAD", "/", Map.of());
    HttpResponse<String> post = request("POST", "/", Map.of());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertSecurityHeaders(post);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/index.html", "/nothing", "/console", "/console.js/", "/Console.js", "/console.map",
      "/logback.xml", "/relay-logback.xml", "/relay/server/admin/console/console.js", "/api"})
  void unknownPathsAre404WithTheSameHeaders(String path) throws Exception {
    HttpResponse<String> response = get(path);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertSecurityHeaders(response);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/../console.js", "/./console.js", "//console.js", "/%2e%2e/console.js", "/%2E%2E/%2e%2e/logback.xml",
      "/..%2fconsole.js", "/.%2e/relay-logback.xml", "/%2fconsole.js", "/console%2ejs", "/console.js%00",
      "/..\\console.js", "/%5c..%5cAdminServer.class", "/../../relay/server/admin/AdminServer.class",
      "/../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd"})
  void noSpellingOfAPathReachesAnythingButTheThreeFiles(String target) throws Exception {
    assertThat(rawStatus(target)).as(target).isIn(400, 404);
  }

  @Test
  void theApiStillAnswersUnderTheConsole() throws Exception {
    HttpResponse<String> api = get("/api/whoami");

    assertThat(api.body()).isEqualTo(API_ANSWER);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void withoutAnApiThereIsNoConsole() throws Exception {
    HealthChecks checks = new HealthChecks(List.of(), List.of());
    try (AdminServer bare = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), checks)) {
      URI uri = URI.create("http://127.0.0.1:" + bare.address().getPort() + "/");
      assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void thePageKeepsToItsContentSecurityPolicy() throws Exception {
    String page = resource("index.html");

    // Every script is a file of this origin; no inline handler or style; nothing from elsewhere.
    assertThat(Pattern.compile("<script(?![^>]*\\bsrc=\"/console\\.js\")", Pattern.CASE_INSENSITIVE).matcher(page).find())
        .as("a <script> other than /console.js").isFalse();
    assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find())
        .as("an inline event handler").isFalse();
    assertThat(Pattern.compile("<style|\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find())
        .as("inline style").isFalse();
    for (String file : List.of("index.html", "console.js", "console.css")) {
      assertThat(resource(file)).as(file).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/")
          .doesNotContain("@import");
    }
  }

  @Test
  void theScriptNeverTurnsDataIntoHtmlOrCode() throws Exception {
    String script = resource("console.js");

    assertThat(script).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
        "eval(", "new Function", "setTimeout('", "javascript:", "document.cookie", "localStorage");
    // The token goes into sessionStorage and a header, nowhere else.
    assertThat(script).contains("sessionStorage.setItem(TOKEN_KEY", "Authorization: `Bearer ${token}`");
  }
}
