package relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisConnectionException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import relay.server.health.CheckResult;

/** What the node reports about the shared store when its calls overlap. */
class StoreHealthTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StoreHealth health = new StoreHealth("redis://store.test:6379", registry);

  private double gauge() {
    return registry.get("relay.cluster.store.up").gauge().value();
  }

  @Test
  void aCallThatAnswersMarksTheStoreUpAndOneThatFailsMarksItDown() {
    assertThat(gauge()).as("not connected yet").isZero();
    health.up(health.calling());
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(health.readiness()).isInstanceOf(CheckResult.Ok.class);

    health.calling();
    health.down(new RedisConnectionException("Connection refused"));
    assertThat(gauge()).isZero();
    assertThat(health.isUp()).isFalse();
    assertThat(health.readiness()).isInstanceOf(CheckResult.Degraded.class);
    assertThat(registry.get("relay.cluster.store.errors").counter().count()).isEqualTo(1.0);
  }

  @Test
  void aSuccessFromACallThatBeganBeforeTheLatestFailureDoesNotHideTheOutage() {
    health.up(health.calling());
    long early = health.calling(); // its reply is on the way when the store goes
    long failing = health.calling();
    health.down(new RedisConnectionException("Connection refused"));
    assertThat(failing).isGreaterThan(early);

    health.up(early);
    assertThat(gauge()).as("a stale success").isZero();
    assertThat(health.readiness()).isInstanceOf(CheckResult.Degraded.class);

    health.up(health.calling()); // the next call after the failure answers: the store is back
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(health.readiness()).isInstanceOf(CheckResult.Ok.class);
  }
}
