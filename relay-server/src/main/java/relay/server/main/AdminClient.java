package relay.server.main;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;
import javax.net.ssl.SSLContext;
import relay.server.admin.LocalToken;
import relay.server.tls.AdminTlsContexts;

/**
 * The command line's way to a running relay: its admin API, at the address the configuration names
 * (or {@code --url}), with a bearer token from {@code --token-file}, the environment variable
 * {@code RELAY_ADMIN_TOKEN}, or the local token the relay wrote into its home. Over HTTPS when
 * the configuration gives the endpoint a certificate, which is then trusted as is. Blocking;
 * one instance per command.
 */
final class AdminClient {

  /** The environment variable a token may come from. */
  static final String TOKEN_VARIABLE = "RELAY_ADMIN_TOKEN";

  private final URI base;
  private final String token;
  private final HttpClient http;

  private AdminClient(URI base, String token, SSLContext tls) {
    this.base = base;
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
  }

  /**
   * Finds the relay and a token.
   *
   * @throws IllegalStateException with a message for the operator when neither can be had
   */
  static AdminClient of(Optional<Path> config, Optional<String> url, Optional<Path> tokenFile,
      Map<String, String> environment) {
    RelayConfig relay = ConfigLoader.loadForRouting(config, environment);
    URI base = url.map(u -> URI.create(u.endsWith("/") ? u : u + "/")).orElseGet(() -> {
      if (!relay.admin().enabled()) {
        throw new IllegalStateException("the admin endpoint is disabled in the configuration (relay.admin.enabled)");
      }
      String host = relay.admin().address().getHostAddress();
      host = host.contains(":") ? "[" + host + "]" : host;
      host = relay.admin().address().isAnyLocalAddress() ? "127.0.0.1" : host;
      return URI.create((relay.admin().tls().isPresent() ? "https://" : "http://") + host + ":" + relay.admin().port() + "/");
    });
    String token;
    if (tokenFile.isPresent()) {
      token = read(tokenFile.get());
    } else if (environment.get(TOKEN_VARIABLE) != null && !environment.get(TOKEN_VARIABLE).isBlank()) {
      token = environment.get(TOKEN_VARIABLE).strip();
    } else {
      token = read(relay.home().resolve(LocalToken.FILE));
    }
    try {
      return new AdminClient(base, token, AdminTlsContexts.client(relay.admin().tls()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot set up TLS for the admin endpoint: " + e.getMessage(), e);
    }
  }

  /** What {@link #open} came to: a client, or the exit code of a command that could not have one. */
  sealed interface Opened {
    record Ready(AdminClient client) implements Opened {}

    /** The reason is printed already; 2 for an invalid configuration, 1 otherwise. */
    record Failed(int exit) implements Opened {}
  }

  /**
   * {@link #of}, for a command: why it could not be opened is printed on {@code err} after {@code
   * command} (the configuration's own message as it is).
   */
  static Opened open(String command, Optional<Path> config, Optional<String> url, Optional<Path> tokenFile,
      Map<String, String> environment, PrintWriter err) {
    try {
      return new Opened.Ready(of(config, url, tokenFile, environment));
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return new Opened.Failed(2);
    } catch (IllegalStateException e) {
      err.println(command + ": " + e.getMessage());
      return new Opened.Failed(1);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new IllegalStateException("no admin token: cannot read " + file + " (" + e.getClass().getSimpleName()
          + "); run as the relay's user, or give --token-file or " + TOKEN_VARIABLE);
    }
  }

  /** GET {@code path} (below the base, e.g. {@code api/queue}); the body is streamed. */
  HttpResponse<InputStream> get(String path) throws IOException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  /** POST {@code path} with no body. */
  HttpResponse<InputStream> post(String path) throws IOException {
    return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private HttpResponse<InputStream> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.net.ConnectException e) {
      throw new IOException("the relay's admin endpoint at " + base + " does not answer: is the relay running?", e);
    }
  }
}
