package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API's calls on a bounded set of platform threads, over real HTTP. */
class ApiWorkersTest {

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger started = new AtomicInteger();
  private final HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
  private HttpServer server;
  private ApiWorkers workers;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
    if (workers != null) {
      workers.close();
    }
    client.close();
  }

  /** The API under test: says whether it ran on a virtual thread, after waiting for {@link #release}. */
  private final HttpHandler api = exchange -> {
    started.incrementAndGet();
    try {
      release.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    send(exchange, 200, "virtual=" + Thread.currentThread().isVirtual() + "\n");
  };

  private URI serve(int threads, int waiting) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    workers = new ApiWorkers(api, threads, waiting);
    server.createContext("/api/", workers);
    server.createContext("/healthz", exchange -> send(exchange, 200, "ok\n"));
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private CompletableFuture<HttpResponse<String>> get(URI base, String path) {
    return client.sendAsync(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void callsRunOnPlatformThreads() throws Exception {
    URI base = serve(2, 2);
    release.countDown();
    HttpResponse<String> answer = get(base, "api/queue").get(20, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("virtual=false\n");
  }

  @Test
  void callsBeyondTheRunningAndWaitingOnesAreAnsweredBusyAtOnceAndTheOthersStillComplete() throws Exception {
    URI base = serve(1, 1);
    CompletableFuture<HttpResponse<String>> running = get(base, "api/trace");
    await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);
    CompletableFuture<HttpResponse<String>> waiting = get(base, "api/trace");
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.waiting() == 1);
    HttpResponse<String> refused = get(base, "api/trace").get(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    assertThat(refused.body()).contains("busy");
    assertThat(started.get()).as("the second call waits for the thread").isEqualTo(1);

    // Health is not an API call: it answers while every API thread is taken.
    assertThat(get(base, "healthz").get(10, TimeUnit.SECONDS).body()).isEqualTo("ok\n");

    release.countDown();
    assertThat(running.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(waiting.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(started.get()).isEqualTo(2);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
