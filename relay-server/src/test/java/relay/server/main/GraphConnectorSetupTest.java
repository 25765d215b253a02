package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import org.junit.jupiter.api.Test;
import relay.server.testing.ConnectProxy;
import relay.server.testing.HttpClientThreads;

/**
 * A relay's {@code graph} connector and what surrounds it: reaching Graph and the token endpoint
 * through an HTTPS proxy, and a reload that replaces the connector.
 */
class GraphConnectorSetupTest extends GraphRelayFixture {

  @Test
  void withAnHttpsProxyGraphAndTheTokenEndpointAreReachedOnlyThroughItsTunnels() throws Exception {
    relay.close();
    try (ConnectProxy proxy = new ConnectProxy()) {
      relay = TestRelay.start(graphConfig("https-proxy = \"127.0.0.1:" + proxy.port() + "\""));
      send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);

      await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
      assertThat(proxy.tunnels).contains("localhost:" + graph.url().getPort(),
          endpoint.authority().getHost() + ":" + endpoint.authority().getPort());
    }
  }

  @Test
  void aProxyThatIsDownIsATransientFailureThatNamesIt() throws Exception {
    relay.close();
    int down;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      down = closed.getLocalPort();
    }
    relay = TestRelay.start(graphConfig("https-proxy = \"127.0.0.1:" + down + "\""));
    send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);

    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_delivery_attempts_total",
        "result=\"transient\"")).hasValueSatisfying(n -> assertThat(n).isGreaterThanOrEqualTo(1.0)));
    assertThat(relay.metric("relay_delivery_attempts_total", "result=\"permanent\"")).isEmpty();
    assertThat(graph.requests.get()).isZero();
    assertThat(attemptLines()).anySatisfy(line -> assertThat(line).contains("deferred", "through proxy 127.0.0.1:" + down));
    assertThat(attemptLines()).allSatisfy(line -> assertThat(line).doesNotContain(SECRET));
  }

  @Test
  void aReloadThatReplacesTheConnectorEndsTheOldOnesHttpClients() throws Exception {
    send(HR, List.of("a@fabrikam.com"), List.of("a@fabrikam.com"), 10);
    await().atMost(PATIENCE).until(() -> graph.sent.size() == 1);
    int before = HttpClientThreads.alive().size();

    // Every reload with a changed connector makes a new transport with two clients (Graph, token);
    // the replaced transport's clients end, so three reloads leave as many as there were.
    for (int i = 1; i <= 3; i++) {
      relay.server().reload(graphConfig("connect-timeout = " + (10 + i) + "s"));
    }
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(HttpClientThreads.alive()).hasSizeLessThanOrEqualTo(before));
    send(HR, List.of("b@fabrikam.com"), List.of("b@fabrikam.com"), 10);
    await().atMost(PATIENCE).until(() -> graph.sent.size() == 2);
  }
}
