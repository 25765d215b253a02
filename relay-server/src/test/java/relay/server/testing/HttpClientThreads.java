package relay.server.testing;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JDK HttpClients' selector threads alive now: each open client has one
 * ({@code HttpClient-<n>-SelectorManager}) until it is closed or garbage-collected, so a set of
 * them taken before and after shows whether code ended the clients it made.
 */
public final class HttpClientThreads {

  private HttpClientThreads() {}

  public static Set<Thread> alive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager"))
        .collect(Collectors.toSet());
  }
}
