package relay.server.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The web console's files, served at {@code /} by the admin listener: {@code /} (the page, which
 * opens on its sign-in form), {@code /console.js} and {@code /console.css}, from the jar's
 * {@code relay/server/admin/console/} folder. They hold no data and are served without a token;
 * the script asks the admin API ({@link AdminApi}) for everything, with the operator's token.
 *
 * <p>Invariants: a request path is looked up, exactly as sent, in a fixed table of those three
 * names, never resolved against a folder, so no {@code ..}, encoded dot or doubled slash reaches
 * any other resource: every other path answers 404. Every answer carries {@link #SECURITY_HEADERS}
 * (a Content-Security-Policy that allows only the console's own script, style and API, no inline
 * script or style, no framing). The files are revalidated on each use ({@code no-cache} with an
 * ETag, answered with 304 when unchanged), so a relay upgraded under an open console serves the
 * new script with its new API.
 *
 * <p>Threading: the files are read once, at construction; immutable afterwards, so any number of
 * requests may run at once.
 */
final class Console implements HttpHandler {

  /** Where the files are in the jar, relative to this class. */
  private static final String FOLDER = "console/";

  /** Set on every answer of the console, the 404s and 405s included. */
  static final Map<String, String> SECURITY_HEADERS = Map.of(
      "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
          + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      "X-Content-Type-Options", "nosniff",
      "X-Frame-Options", "DENY",
      "Referrer-Policy", "no-referrer",
      "Cross-Origin-Opener-Policy", "same-origin",
      "Cross-Origin-Resource-Policy", "same-origin");

  private record Asset(String type, byte[] body, String etag) {}

  private final Map<String, Asset> files = Map.of(
      "/", load("index.html", "text/html; charset=utf-8"),
      "/console.js", load("console.js", "text/javascript; charset=utf-8"),
      "/console.css", load("console.css", "text/css; charset=utf-8"));

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Headers headers = exchange.getResponseHeaders();
      SECURITY_HEADERS.forEach(headers::set);
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        headers.set("Allow", "GET, HEAD");
        headers.set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      Asset file = files.get(exchange.getRequestURI().getRawPath());
      if (file == null) {
        byte[] body = "not found\n".getBytes(StandardCharsets.UTF_8);
        headers.set("Content-Type", "text/plain; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(404, head ? -1 : body.length);
        if (!head) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
        return;
      }
      headers.set("Content-Type", file.type());
      headers.set("Cache-Control", "no-cache");
      headers.set("ETag", file.etag());
      String seen = exchange.getRequestHeaders().getFirst("If-None-Match");
      if (seen != null && seen.contains(file.etag())) {
        exchange.sendResponseHeaders(304, -1);
        return;
      }
      exchange.sendResponseHeaders(200, head ? -1 : file.body().length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(file.body());
        }
      }
    }
  }

  private static Asset load(String name, String type) {
    try (InputStream in = Console.class.getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the console's " + FOLDER + name);
      }
      byte[] body = in.readAllBytes();
      return new Asset(type, body, '"' + HexFormat.of().formatHex(sha256(body), 0, 12) + '"');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's " + name + " from the jar", e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
