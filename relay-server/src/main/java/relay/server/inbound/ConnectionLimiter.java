package relay.server.inbound;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a listener's open connections, in total and per client address, so that one chatty device
 * cannot take every slot. Thread-safe: event loops acquire and release concurrently.
 */
final class ConnectionLimiter {

  private final int maxTotal;
  private final int maxPerClient;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

  ConnectionLimiter(int maxTotal, int maxPerClient) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
  }

  /** Takes a slot for the client; false (and nothing taken) when a limit is reached. */
  boolean tryAcquire(InetAddress client) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return false;
    }
    boolean[] taken = {false};
    perClient.compute(client, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= maxPerClient) {
        return n;
      }
      taken[0] = true;
      return current + 1;
    });
    if (!taken[0]) {
      total.decrementAndGet();
    }
    return taken[0];
  }

  /** Gives back a slot taken by {@link #tryAcquire}. */
  void release(InetAddress client) {
    total.decrementAndGet();
    perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }
}
