package relay.server.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.RecipientOutcome;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.metrics.QueueCensus;
import relay.core.reply.SmtpReply;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.FileSpool;
import relay.core.spool.QueuedMessage;
import relay.core.spool.SpoolTransaction;
import relay.core.tracking.TrackingLog;
import relay.server.health.HealthChecks;

/**
 * A by-hand measurement, not a test (its name keeps it out of the build's test run): what a scrape
 * of {@code /metrics} costs with a large deferred queue. Queues {@code relay.measure.messages}
 * (default 100,000) messages in a file spool under {@code relay.measure.dir} (default the temp
 * directory: use a real disk, not tmpfs), a window's worth in memory and the rest parked over the
 * next hour, one in a hundred held; then times the queue census, whole scrapes over HTTP (census
 * forced on every scrape, and as a running relay does it, reused for 10 s), the one listing of the
 * index a restart makes to seed the spool's tallies, and for comparison a listing of every marker
 * (what counting by listing would cost on each scrape).
 *
 * <pre>./mvnw -B -ntp -q -o verify -pl relay-server -am -Dtest=QueueScrapeCost -Dsurefire.failIfNoSpecifiedTests=false
 * -Drelay.measure.messages=100000</pre>
 */
class QueueScrapeCost {

  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(5));

  @Test
  void measure() throws Exception {
    int messages = Integer.getInteger("relay.measure.messages", 100_000);
    Path base = Path.of(System.getProperty("relay.measure.dir", System.getProperty("java.io.tmpdir")));
    Path root = Files.createTempDirectory(base, "scrape-cost");
    InstantSource clock = InstantSource.system();
    FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, clock, new SplittableRandom(1));
    spool.open();
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, request -> request.recipients().stream()
        .<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"))))
        .toList(), "m365", new LaneLimits(24, DeliveryScheduler.DEFAULT_WINDOW, true), new RetryPolicy(SCHEDULE), clock,
        new SplittableRandom(2), TrackingLog.NONE, Optional.empty());

    long queueing = System.nanoTime();
    queue(spool, scheduler, clock, messages);
    System.out.printf("queued %,d messages in %.1f s%n", messages, seconds(System.nanoTime() - queueing));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);
    metrics.bindJvm();
    metrics.spoolSize(spool::size);
    QueueCensus forced = new QueueCensus(spool, () -> Map.of("m365", scheduler), clock, Duration.ZERO);
    new QueueGauges(registry, forced, clock).update();
    System.out.println("census: " + forced.take().get("m365"));

    List<Long> census = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long start = System.nanoTime();
      forced.take();
      census.add(System.nanoTime() - start);
    }
    report("queue census (200 runs)", census);
    List<Long> rendered = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long start = System.nanoTime();
      registry.scrape();
      rendered.add(System.nanoTime() - start);
    }
    report("registry.scrape() in process, census on every scrape (200 runs)", rendered);

    try (AdminServer admin = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry,
        new HealthChecks(List.of(), List.of()))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + "/metrics")).build();
      for (int i = 0; i < 50; i++) {
        http.send(scrape, HttpResponse.BodyHandlers.ofString()); // warm-up
      }
      List<Long> scrapes = new ArrayList<>();
      int bytes = 0;
      for (int i = 0; i < 200; i++) {
        long start = System.nanoTime();
        bytes = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body().length();
        scrapes.add(System.nanoTime() - start);
      }
      report("GET /metrics, census on every scrape (200 runs, " + bytes + " bytes)", scrapes);
    }
    try (AdminServer idle = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new HealthChecks(List.of(), List.of()))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + idle.address().getPort() + "/metrics")).build();
      List<Long> empty = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        long start = System.nanoTime();
        http.send(scrape, HttpResponse.BodyHandlers.ofString());
        if (i >= 50) {
          empty.add(System.nanoTime() - start);
        }
      }
      report("for comparison: GET /metrics of an empty registry (200 runs)", empty);
    }

    FileSpool restarted = new FileSpool(root, 0, () -> Long.MAX_VALUE, clock, new SplittableRandom(3));
    restarted.open();
    long seeding = System.nanoTime();
    long parked = restarted.parkedCount("m365") + restarted.heldCount("m365");
    System.out.printf("seeding the tallies after a restart (one listing of %,d markers): %.0f ms%n", parked,
        (System.nanoTime() - seeding) / 1e6);
    List<Long> listings = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      try (Stream<Path> files = Stream.concat(Files.walk(root.resolve("parked")), Files.walk(root.resolve("held")))) {
        files.filter(Files::isRegularFile).count();
      }
      listings.add(System.nanoTime() - start);
    }
    report("for comparison: listing every marker (warm cache, 5 runs)", listings);
    scheduler.close();
    restarted.close();
    spool.close();
    System.out.println("spool left in " + root + " (delete it by hand)");
  }

  /** Commits {@code count} messages; the scheduler keeps a window's worth, the rest is parked. */
  private static void queue(FileSpool spool, DeliveryScheduler scheduler, InstantSource clock, int count) throws Exception {
    Instant now = clock.instant();
    byte[] body = ("Subject: scan\r\n\r\n" + "x".repeat(4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      int per = count / 32;
      for (int w = 0; w < 32; w++) {
        int first = w * per;
        int last = w == 31 ? count : first + per;
        done.add(writers.submit(() -> {
          SplittableRandom random = new SplittableRandom(first);
          for (int i = first; i < last; i++) {
            QueuedMessage message = commit(spool, body, now).withConnector("m365");
            if (i < DeliveryScheduler.DEFAULT_WINDOW) {
              scheduler.submit(message); // due now: in memory
            } else if (i % 100 == 0) {
              spool.park(message.withState(message.recipients().stream().map(r -> new relay.core.spool.RecipientState(
                  r.recipient(), relay.core.spool.RecipientStatus.HELD, 1, new AttemptReport.Replied(
                      SmtpReply.of(535, "5.7.139", "disabled")))).toList(), 1, now));
            } else {
              scheduler.recovered(message.withState(message.recipients(), 1,
                  now.plus(Duration.ofMinutes(2 + random.nextInt(60)))));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.MINUTES);
      }
    }
  }

  private static QueuedMessage commit(FileSpool spool, byte[] body, Instant at) throws java.io.IOException {
    Envelope envelope = new Envelope(MailPath.parse("printer@contoso.com"), MailParameters.NONE,
        List.of(Recipient.of(MailPath.parse("user@fabrikam.com"))), new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), at);
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(body);
      return transaction.commit(envelope);
    }
  }

  private static void report(String what, List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("%s: median %.2f ms, p90 %.2f ms, max %.2f ms%n", what, sorted[sorted.length / 2] / 1e6,
        sorted[(int) (sorted.length * 0.9)] / 1e6, Arrays.stream(sorted).max().orElse(0) / 1e6);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
