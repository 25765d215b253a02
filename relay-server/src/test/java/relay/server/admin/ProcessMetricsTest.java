package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The spool's free space against its floor, and the JVM and process metrics, on /metrics. */
class ProcessMetricsTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MicrometerRelayMetrics metrics = new MicrometerRelayMetrics(registry);

  @Test
  void spoolFreeSpaceIsReadOnEachScrapeBesideItsFloor() {
    long[] free = {5L << 30};
    metrics.spoolSpace(() -> free[0], 100L << 20);

    assertThat(registry.scrape()).contains("relay_spool_free_bytes 5.36870912E9")
        .contains("relay_spool_min_free_bytes 1.048576E8");
    free[0] = 1L << 20;
    assertThat(registry.scrape()).contains("relay_spool_free_bytes 1048576.0");
  }

  @Test
  void unreadableFreeSpaceIsNotANumberRatherThanAMisleadingFigure() {
    metrics.spoolSpace(() -> {
      throw new IOException("gone");
    }, 0);

    assertThat(registry.scrape()).contains("relay_spool_free_bytes NaN");
  }

  @Test
  void jvmAndProcessMetricsAreBound() throws Exception {
    try (AutoCloseable gc = metrics.bindJvm()) {
      System.gc(); // one collection, so that the pause timer has a sample

      assertThat(registry.scrape())
          .contains("jvm_memory_used_bytes{")
          .contains("jvm_memory_max_bytes{")
          .contains("jvm_threads_live_threads ")
          .contains("jvm_classes_loaded_classes ")
          .contains("process_cpu_usage ")
          .contains("system_cpu_count ")
          .contains("process_uptime_seconds ")
          .contains("process_start_time_seconds ")
          .contains("system_load_average_1m ")
          .contains("jvm_buffer_memory_used_bytes{")
          .contains("process_files_open_files ")
          .contains("process_files_max_files ")
          .contains("jvm_gc_memory_allocated_bytes_total ");
    }
  }
}
