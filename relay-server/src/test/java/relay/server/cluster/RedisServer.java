package relay.server.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private Debian {@code redis-server} for one test class: on a free loopback port (plain, or
 * TLS with an ACL user), without persistence ({@code --save '' --appendonly no}), in its own directory; never the system's one.
 * It can be stopped and started again on the same port, as an outage does.
 *
 * <p>Not thread-safe; used by one test class.
 */
public final class RedisServer implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Path dir;
  private final int port;
  private final List<String> listening;
  private Process process;

  private RedisServer(Path dir, int port, List<String> listening) {
    this.dir = dir;
    this.port = port;
    this.listening = listening;
  }

  /** Starts one in {@code dir}; fails when Debian's redis-server is not installed. */
  public static RedisServer start(Path dir) throws IOException {
    int port = freePort();
    RedisServer server = new RedisServer(dir, port, List.of("--port", Integer.toString(port)));
    server.start();
    return server;
  }

  /**
   * Starts one that speaks only TLS (with {@code certificate} and {@code key}, PEM; clients are not
   * asked for certificates) and knows one ACL user, {@code user} with {@code password}; the default
   * user is switched off, so nothing gets in without signing in.
   */
  public static RedisServer startTls(Path dir, Path certificate, Path key, String user, String password)
      throws IOException {
    int port = freePort();
    RedisServer server = new RedisServer(dir, port, List.of("--port", "0", "--tls-port", Integer.toString(port),
        "--tls-cert-file", certificate.toString(), "--tls-key-file", key.toString(), "--tls-auth-clients", "no",
        "--user", "default", "off", "--user", user, "on", ">" + password, "~*", "&*", "+@all"));
    server.start();
    return server;
  }

  private static int freePort() throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: apt-get install -y redis-server");
    }
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** Starts the server (again) and waits until it answers PING (a TLS one: until it listens). */
  public void start() throws IOException {
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
    command.addAll(listening);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
    boolean tls = listening.contains("--tls-port");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(tls ? this::listens : this::answers);
  }

  private boolean listens() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the server (SIGKILL: an outage, not a goodbye) and waits until it is gone. */
  public void stop() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor();
    }
  }
}
