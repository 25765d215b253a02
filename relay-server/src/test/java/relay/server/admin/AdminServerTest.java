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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.SmtpStage;
import relay.server.health.Check;
import relay.server.health.CheckResult;
import relay.server.health.HealthChecks;

class AdminServerTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);
  private final AtomicReference<CheckResult> loops = new AtomicReference<>(CheckResult.ok());
  private final AtomicReference<CheckResult> protocolLog = new AtomicReference<>(CheckResult.ok());
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    HealthChecks checks = new HealthChecks(
        List.of(new Check("relay", CheckResult::ok), new Check("smtp-lan", loops::get)),
        List.of(new Check("relay", CheckResult::ok), new Check("protocol-log", protocolLog::get),
            new Check("spool", CheckResult::ok)));
    server = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, checks);
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
    metrics.logLinesDropped("protocol", () -> 3);

    HttpResponse<String> response = get("/metrics", "GET");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(response.body())
        .contains("relay_connections_total{connector=\"lan\",listener=\"default\",result=\"accepted\"} 1.0")
        .contains("relay_messages_received_total{connector=\"lan\"} 1.0")
        .contains("relay_messages_rejected_total{code=\"550\",stage=\"rcpt\"} 1.0")
        .contains("relay_delivery_attempts_total{connector=\"drop\",result=\"delivered\"} 1.0")
        .contains("relay_delivery_delay_seconds_count{connector=\"drop\"} 1")
        .contains("relay_spool_messages 7.0")
        .contains("relay_log_lines_dropped_total{log=\"protocol\"} 3.0");
  }

  @Test
  void healthzListsTheLivenessChecksAndFailsWithTheReasonOfTheOneThatFails() throws Exception {
    HttpResponse<String> alive = get("/healthz", "GET");
    assertThat(alive.statusCode()).isEqualTo(200);
    assertThat(alive.body()).isEqualTo("ok relay\nok smtp-lan\n");

    loops.set(CheckResult.failed("1 of 2 event loops did not run a task within 2000 ms"));
    HttpResponse<String> hung = get("/healthz", "GET");

    assertThat(hung.statusCode()).isEqualTo(503);
    assertThat(hung.body()).isEqualTo("ok relay\nfail smtp-lan: 1 of 2 event loops did not run a task within 2000 ms\n");
  }

  @Test
  void readyzListsTheReadinessChecksAndAFailingOneMakesIt503WhileHealthzStays200() throws Exception {
    assertThat(get("/readyz", "GET").body()).isEqualTo("ok relay\nok protocol-log\nok spool\n");
    assertThat(get("/readyz", "GET").statusCode()).isEqualTo(200);

    protocolLog.set(CheckResult.failed("writing protocol.log fails since 2025-06-01T10:00:00Z: No space\nleft"));
    HttpResponse<String> notReady = get("/readyz", "GET");

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).isEqualTo(
        "ok relay\nfail protocol-log: writing protocol.log fails since 2025-06-01T10:00:00Z: No space left\nok spool\n");
    assertThat(get("/healthz", "GET").statusCode()).isEqualTo(200);
    HttpResponse<String> head = get("/readyz", "HEAD");
    assertThat(head.statusCode()).isEqualTo(503);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void onlyGetAndHeadAreAllowed() throws Exception {
    HttpResponse<String> response = get("/metrics", "POST");
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(get("/nothing", "GET").statusCode()).isEqualTo(404);
  }
}
