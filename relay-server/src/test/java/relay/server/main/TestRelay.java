package relay.server.main;

import java.io.IOException;
import relay.server.admin.ClusterDirectory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import relay.config.load.ConfigLoader;
import relay.config.model.AdminConfig;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;

/**
 * Test aid: a real {@link RelayServer} whose configuration is loaded exactly as in production
 * (embedded default plus an optional file, through {@link ConfigLoader}) and then moved onto ports
 * the operating system picks, so tests never depend on a fixed port being free. Reads the admin
 * endpoint's {@code /metrics} for assertions.
 *
 * <p>Not thread-safe; one per test, closed by the test.
 */
final class TestRelay implements AutoCloseable {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

  private final RelayServer server;
  private final RelayConfig config;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestRelay(RelayServer server, RelayConfig config) {
    this.server = server;
    this.config = config;
  }

  /** Writes {@code hocon} to {@code relay.conf} in {@code dir} and loads it with an empty environment. */
  static RelayConfig configFile(Path dir, String hocon) throws IOException {
    Path file = Files.writeString(dir.resolve("relay.conf"), hocon);
    return onFreePorts(ConfigLoader.load(Optional.of(file), Map.of()));
  }

  /**
   * The set-up most relay tests share, as HOCON: home {@code home}, hostname {@code relay.test}, one
   * listener {@code lan} whose connector {@code office} lets 127.0.0.1 relay, then {@code settings}
   * (more of the {@code relay} block: connectors, rules, delivery).
   */
  static String officeLan(Path home, String settings) {
    return """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
        %s}
        """.formatted(home, settings);
  }

  /** The embedded default with {@code RELAY_HOME} set to {@code home}. */
  static RelayConfig embeddedDefault(Path home) {
    return onFreePorts(ConfigLoader.load(Optional.empty(), Map.of("RELAY_HOME", home.toString())));
  }

  /** The same configuration with every listener and the admin endpoint on a port the OS chooses. */
  static RelayConfig onFreePorts(RelayConfig c) {
    return new RelayConfig(
        c.home(),
        c.hostname(),
        c.listeners().stream()
            .map(l -> new ListenerConfig(l.name(), l.address(), 0, l.encryption(), l.tls(), l.maxConnections(),
                l.maxConnectionsPerClient(), l.inboundConnectors(), l.proxyFrom()))
            .toList(),
        c.spool(),
        c.delivery(),
        c.logging(),
        new AdminConfig(c.admin().enabled(), c.admin().address(), 0, c.admin().tokens(), c.admin().metricsOpen(),
            c.admin().tls()),
        c.outboundConnectors(),
        c.routing(),
        c.cluster());
  }

  static TestRelay start(RelayConfig config) throws IOException, InterruptedException {
    return new TestRelay(RelayServer.start(config, InstantSource.system()), config);
  }

  /** With room for only {@code logQueue} lines in each log writer's queue. */
  static TestRelay start(RelayConfig config, int logQueue) throws IOException, InterruptedException {
    return new TestRelay(RelayServer.start(config, InstantSource.system(), logQueue), config);
  }

  /** Part of a cluster whose other nodes {@code directory} names. */
  static TestRelay start(RelayConfig config, ClusterDirectory directory) throws IOException, InterruptedException {
    return new TestRelay(RelayServer.start(config, InstantSource.system(), RelayServer.LOG_QUEUE, directory), config);
  }

  RelayServer server() {
    return server;
  }

  int smtpPort() {
    return server.smtpAddresses().getFirst().getPort();
  }

  Path home() {
    return config.home();
  }

  /** Relay's own STARTTLS certificate, generated on first start. */
  Path selfSignedCertificate() {
    return config.generatedTlsDirectory().resolve("relay-selfsigned.crt");
  }

  /** Messages in the spool's queue directory, counted on disk. */
  long queuedFiles() throws IOException {
    Path queue = config.spool().directory().resolve("queue");
    if (!Files.isDirectory(queue)) {
      return 0;
    }
    try (var files = Files.walk(queue)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".msg")).count();
    }
  }

  int adminPort() {
    return server.adminAddress().orElseThrow().getPort();
  }

  /** GET on the admin endpoint. */
  HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + adminPort() + path);
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A call to the admin API with the relay's local token, as {@code relay queue} makes it. */
  HttpResponse<String> api(String method, String path) throws IOException, InterruptedException {
    String token = Files.readString(home().resolve(relay.server.admin.LocalToken.FILE)).strip();
    URI uri = URI.create("http://127.0.0.1:" + adminPort() + path);
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code /metrics} page. */
  String metricsPage() throws IOException, InterruptedException {
    HttpResponse<String> response = admin("/metrics");
    if (response.statusCode() != 200) {
      throw new IOException("/metrics answered " + response.statusCode());
    }
    return response.body();
  }

  /**
   * The sum of every sample of {@code name} whose labels include all of {@code labels} (written as
   * {@code key="value"}), or empty when there is none: a missing series is not the same as zero.
   */
  Optional<Double> metric(String name, String... labels) throws IOException, InterruptedException {
    Optional<Double> sum = Optional.empty();
    for (String line : metricsPage().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      String labelSet = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (String label : labels) {
        all &= labelSet.contains("{" + label) || labelSet.contains("," + label);
      }
      if (all) {
        double value = Double.parseDouble(m.group(3));
        sum = Optional.of(sum.orElse(0.0) + value);
      }
    }
    return sum;
  }

  @Override
  public void close() {
    server.close();
  }
}
