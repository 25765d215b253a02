package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.SmtpStage;

class AdminServerTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);
  private final AtomicBoolean healthy = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    server = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, healthy::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path, String method) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsEndpointShowsWhatRelayCountedInPrometheusFormat() throws Exception {
    metrics.connection("default", "lan", true);
    metrics.messageAccepted("lan", 4096);
    metrics.messageRejected(SmtpStage.RCPT, 550);
    metrics.deliveryAttempt("drop", AttemptResult.DELIVERED);
    metrics.deliveryDelay("drop", Duration.ofMillis(250));
    metrics.spoolSize(() -> 7);

    HttpResponse<String> response = get("/metrics", "GET");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(response.body())
        .contains("relay_connections_total{connector=\"lan\",listener=\"default\",result=\"accepted\"} 1.0")
        .contains("relay_messages_received_total{connector=\"lan\"} 1.0")
        .contains("relay_messages_rejected_total{code=\"550\",stage=\"rcpt\"} 1.0")
        .contains("relay_delivery_attempts_total{connector=\"drop\",result=\"delivered\"} 1.0")
        .contains("relay_delivery_delay_seconds_count{connector=\"drop\"} 1")
        .contains("relay_spool_messages 7.0");
  }

  @Test
  void healthzFollowsTheHealthSupplier() throws Exception {
    assertThat(get("/healthz", "GET").statusCode()).isEqualTo(200);
    healthy.set(false);
    assertThat(get("/healthz", "GET").statusCode()).isEqualTo(503);
  }

  @Test
  void onlyGetAndHeadAreAllowed() throws Exception {
    HttpResponse<String> response = get("/metrics", "POST");
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(get("/nothing", "GET").statusCode()).isEqualTo(404);
  }
}
