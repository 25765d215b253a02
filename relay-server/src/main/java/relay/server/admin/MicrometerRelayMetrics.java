package relay.server.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import relay.core.dsn.DsnAction;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.RelayMetrics;
import relay.core.metrics.SmtpStage;
import relay.core.routing.rule.RuleMode;
import relay.core.spool.FreeSpace;
import relay.server.outbound.oauth.RefreshOutcome;
import relay.server.outbound.oauth.TokenListener;
import relay.server.outbound.oauth.TokenMetrics;
import relay.server.outbound.oauth.TokenSource;
import relay.server.outbound.oauth.TokenSources;

/**
 * {@link RelayMetrics} on a Micrometer registry. Names follow Prometheus conventions once exported:
 * {@code relay_connections_total{listener,connector,result}},
 * {@code relay_messages_received_total{connector}}, {@code relay_message_size_bytes},
 * {@code relay_messages_rejected_total{stage,code}},
 * {@code relay_delivery_attempts_total{connector,result}}, {@code relay_delivery_delay_seconds},
 * {@code relay_spool_messages}, {@code relay_messages_held},
 * {@code relay_spool_free_bytes} and {@code relay_spool_min_free_bytes},
 * {@code relay_log_lines_dropped_total{log}}, and for OAuth connectors
 * {@code relay_oauth_token_requests_total{connector,result}} and
 * {@code relay_oauth_token_expiry_seconds{connector}}; with {@link #bindJvm()} also Micrometer's JVM
 * and process metrics ({@code jvm_*}, {@code process_*}, {@code system_*}). The per-connector queue
 * and per-mailbox gauges are {@link QueueGauges}'.
 *
 * <p>Thread-safe: Micrometer meters are; lookups by tag are cached by the registry.
 */
public final class MicrometerRelayMetrics implements RelayMetrics, TokenMetrics {

  private final MeterRegistry registry;
  // A gauge is registered once per connector and keeps reading this map, so a reloaded connector's
  // new token sources replace the old ones instead of being ignored by an already-registered gauge.
  private final Map<String, TokenSources> tokenSources = new ConcurrentHashMap<>();
  // Connectors whose expiry gauge exists: registered with the first token, never before.
  private final Set<String> expiryShown = ConcurrentHashMap.newKeySet();
  // Micrometer holds a function counter's source weakly: kept here, it lives as long as the metrics.
  private final List<LongSupplier> dropCounts = new CopyOnWriteArrayList<>();

  public MicrometerRelayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Publishes the number of queued messages as {@code relay_spool_messages}. */
  public void spoolSize(java.util.function.LongSupplier queued) {
    Gauge.builder("relay.spool.messages", queued::getAsLong)
        .description("Messages in the spool (queued for delivery)")
        .register(registry);
  }

  /** Publishes whether the node is drained (1: new mail gets 421) as {@code relay_drained}. */
  public void drained(java.util.function.BooleanSupplier drained) {
    Gauge.builder("relay.drained", () -> drained.getAsBoolean() ? 1 : 0)
        .description("1 while the node is drained: listeners refuse new mail with 421, the queue is still delivered")
        .register(registry);
  }

  /** Publishes the number of messages held (waiting for an operator) as {@code relay_messages_held}. */
  public void heldMessages(java.util.function.LongSupplier held) {
    Gauge.builder("relay.messages.held", held::getAsLong)
        .description("Messages held for a configuration problem or a missing connector, until an operator acts")
        .register(registry);
  }

  /**
   * Publishes the free space of the spool's file store as {@code relay_spool_free_bytes} (read
   * afresh on each scrape; NaN when it cannot be read) and the configured floor below which new mail
   * is refused ({@code spool.min-free-space}) as {@code relay_spool_min_free_bytes}.
   */
  public void spoolSpace(FreeSpace freeSpace, long minFreeBytes) {
    Gauge.builder("relay.spool.free", () -> {
          try {
            return freeSpace.usableBytes();
          } catch (IOException e) {
            return Double.NaN;
          }
        })
        .description("Bytes free for the spool on its file store")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("relay.spool.min.free", () -> minFreeBytes)
        .description("The spool's free-space floor (spool.min-free-space): below it new mail gets 452 and /readyz fails")
        .baseUnit("bytes")
        .register(registry);
  }

  /**
   * Binds Micrometer's JVM and process metrics: memory pools and buffers, garbage collection,
   * threads, class loading, CPU, uptime and open file descriptors. Close what it returns at
   * shutdown (the garbage-collection listener).
   */
  public AutoCloseable bindJvm() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  /**
   * Publishes the lines a log writer dropped (its queue was full: the disk too slow or failing) as
   * {@code relay_log_lines_dropped_total{log}}, {@code log} being {@code protocol} or {@code
   * tracking}. Registered once per log.
   */
  public void logLinesDropped(String log, LongSupplier dropped) {
    dropCounts.add(dropped);
    FunctionCounter.builder("relay.log.lines.dropped", dropped, LongSupplier::getAsLong)
        .description("Log lines dropped because the log's queue was full (disk too slow or failing)")
        .tag("log", log)
        .register(registry);
  }

  /** Counts the connector's token requests; its first token issued makes its expiry gauge appear. */
  @Override
  public TokenListener listener(String connector) {
    return (endpoint, outcome, took) -> {
      Counter.builder("relay.oauth.token.requests")
          .description("OAuth token requests by outbound connector and result")
          .tag("connector", connector)
          .tag("result", outcome.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry)
          .increment();
      if (outcome == RefreshOutcome.SUCCEEDED && expiryShown.add(connector)) {
        Gauge.builder("relay.oauth.token.expiry.seconds", () -> secondsLeft(connector))
            .description("Seconds until the connector's current OAuth token expires (the soonest of its credentials); "
                + "0 once it has expired and no new one was needed yet")
            .tag("connector", connector)
            .register(registry);
      }
    };
  }

  /** Only remembers the sources: the gauge appears with the connector's first token ({@link #listener}). */
  @Override
  public void expiry(String connector, TokenSources sources) {
    tokenSources.put(connector, sources);
  }

  /**
   * Time left on the soonest-expiring of the connector's valid tokens; zero when none is valid.
   * A token runs out without being renewed when nothing asks for one: signed-in sessions kept for
   * reuse carry on without a token, so a connector delivering only on pooled sessions (or a
   * credential no mailbox has used for an hour) used to show ever more negative seconds. Zero says
   * "no valid token now; the next new session asks for one", which is not a fault; refresh failures
   * are counted in {@code relay_oauth_token_requests_total}.
   */
  private double secondsLeft(String connector) {
    return tokenLeft(connector).map(d -> d.toMillis() / 1000.0).orElse(0.0);
  }

  /**
   * Time left on the soonest-expiring of an {@code smtp-auth} connector's valid tokens; empty when
   * it has none (none asked for yet, or all expired) or is not such a connector. For the admin API.
   */
  public Optional<Duration> tokenLeft(String connector) {
    TokenSources sources = tokenSources.get(connector);
    if (sources == null) {
      return Optional.empty();
    }
    return sources.all().values().stream()
        .map(TokenSource::remaining)
        .flatMap(Optional::stream)
        .filter(Duration::isPositive)
        .min(Duration::compareTo);
  }

  @Override
  public void connection(String listener, String connector, boolean accepted) {
    Counter.builder("relay.connections")
        .description("SMTP connections by listener, inbound connector and whether they were admitted")
        .tag("listener", listener)
        .tag("connector", connector)
        .tag("result", accepted ? "accepted" : "refused")
        .register(registry)
        .increment();
  }

  @Override
  public void messageAccepted(String connector, long bytes) {
    Counter.builder("relay.messages.received")
        .description("Messages accepted (250 at end of DATA) by inbound connector")
        .tag("connector", connector)
        .register(registry)
        .increment();
    DistributionSummary.builder("relay.message.size")
        .baseUnit("bytes")
        .description("Size of accepted messages")
        .register(registry)
        .record(bytes);
  }

  @Override
  public void messageRejected(SmtpStage stage, int code) {
    Counter.builder("relay.messages.rejected")
        .description("Commands refused with 4xx/5xx by SMTP stage and reply code")
        .tag("stage", stage.label())
        .tag("code", Integer.toString(code))
        .register(registry)
        .increment();
  }

  @Override
  public void deliveryAttempt(String connector, AttemptResult result) {
    Counter.builder("relay.delivery.attempts")
        .description("Per-recipient delivery attempts by outbound connector and result")
        .tag("connector", connector)
        .tag("result", result.label())
        .register(registry)
        .increment();
  }

  @Override
  public void deliveryDelay(String connector, Duration delay) {
    Timer.builder("relay.delivery.delay")
        .description("Time from acceptance to final delivery")
        .tag("connector", connector)
        .register(registry)
        .record(delay);
  }

  @Override
  public void dsnQueued(DsnAction action) {
    Counter.builder("relay.dsn.sent")
        .description("Delivery status notifications queued, by action (failed or delayed)")
        .tag("action", action.fieldValue())
        .register(registry)
        .increment();
  }

  @Override
  public void ruleHit(String rule, RuleMode mode) {
    Counter.builder("relay.rule.hits")
        .description("Mail-flow rule matches by rule name and mode (enforce or test)")
        .tag("rule", rule)
        .tag("mode", mode.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  @Override
  public void configReload(boolean success) {
    Counter.builder("relay.config.reloads")
        .description("Configuration reloads by result")
        .tag("result", success ? "success" : "failure")
        .register(registry)
        .increment();
  }
}
