package relay.server.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import relay.config.model.RedisEndpoint;

/**
 * The one connection of a node to the shared store, through Lettuce (one multiplexed, Netty-based
 * connection; commands from many virtual threads share it).
 *
 * <p>Failure behaviour, chosen so that nothing waits long on an unreachable store: commands time
 * out after {@link #COMMAND_TIMEOUT}; while the connection is down they are refused at once instead
 * of queued (a queued "acquire" answered minutes later would grant a turn nobody waits for);
 * Lettuce reconnects by itself, at most {@link #LONGEST_RECONNECT_DELAY} apart. The first
 * connection is made by {@link #connect}, which the node's ticker calls until it succeeds, so that
 * a Redis that is down at start-up delays nothing.
 *
 * <p>Threading: safe for concurrent use. The synchronous commands block the calling thread (a
 * virtual thread: an attempt's or the ticker's), never a Netty event loop: Lettuce's own loop only
 * completes the futures.
 */
final class StoreConnection implements AutoCloseable {

  /** Long enough for a loaded Redis on a LAN, short enough that a dead one is noticed quickly. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration LONGEST_RECONNECT_DELAY = Duration.ofSeconds(2);

  private final ClientResources resources;
  private final RedisClient client;
  private final String where;
  private final ReentrantLock connecting = new ReentrantLock();
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile boolean closed;

  StoreConnection(RedisEndpoint endpoint) {
    this.where = endpoint.host() + ":" + endpoint.port();
    // Two cores are common for a relay: one I/O thread and one computation thread are plenty for a
    // few small commands per message.
    this.resources = ClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), LONGEST_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
    RedisURI.Builder uri = RedisURI.builder().withHost(endpoint.host()).withPort(endpoint.port())
        .withTimeout(COMMAND_TIMEOUT).withSsl(endpoint.tls()).withVerifyPeer(endpoint.tls());
    endpoint.password().ifPresent(password -> {
      if (endpoint.username().isPresent()) {
        uri.withAuthentication(endpoint.username().get().reveal(), password.reveal());
      } else {
        uri.withPassword(password.reveal().toCharArray());
      }
    });
    ClientOptions.Builder options = ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build());
    endpoint.caFile().ifPresent(ca ->
        options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(ca.toFile()).build()));
    this.client = RedisClient.create(resources, uri.build());
    this.client.setOptions(options.build());
  }

  /** Where the store is, for logs (never with credentials). */
  String where() {
    return where;
  }

  /**
   * Connects when there is no connection yet; blocks up to the connect timeout. Once connected,
   * Lettuce keeps reconnecting by itself.
   *
   * @throws RedisException when the store cannot be reached
   */
  void connect() {
    if (connection != null || closed) {
      return;
    }
    connecting.lock();
    try {
      if (connection == null && !closed) {
        connection = client.connect();
      }
    } finally {
      connecting.unlock();
    }
  }

  /**
   * The synchronous commands of the connection.
   *
   * @throws RedisConnectionException when there has never been a connection
   */
  RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null) {
      throw new RedisConnectionException("not connected to " + where);
    }
    return c.sync();
  }

  @Override
  public void close() {
    closed = true;
    connecting.lock();
    try {
      if (connection != null) {
        connection.close();
      }
    } finally {
      connecting.unlock();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
