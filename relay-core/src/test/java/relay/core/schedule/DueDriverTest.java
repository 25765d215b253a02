package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The driver's two ways to its next turn, on the real clock: the time the scheduler names (kept by
 * an alarm that outlives the sleeps it covers) and a wake; and a time brought nearer is kept.
 */
class DueDriverTest {

  private final InstantSource clock = InstantSource.system();

  @Test
  void takesItsTurnWhenTheNamedTimeComesWithoutBeingWoken() {
    AtomicInteger turns = new AtomicInteger();
    Instant first = clock.instant().plusMillis(300);
    DueDriver driver = new DueDriver("test", clock, turns::incrementAndGet,
        now -> now.isBefore(first) ? first : now.plus(Duration.ofHours(1)));
    driver.start();
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> turns.get() == 2);
      assertThat(clock.instant()).isAfterOrEqualTo(first);
    } finally {
      driver.stop();
    }
  }

  @Test
  void aWakeTakesATurnAtOnceAndAnEarlierTimeReplacesALaterAlarm() {
    AtomicInteger turns = new AtomicInteger();
    AtomicReference<Instant> next = new AtomicReference<>(clock.instant().plus(Duration.ofHours(1)));
    DueDriver driver = new DueDriver("test", clock, turns::incrementAndGet, now -> next.get());
    driver.start();
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> turns.get() == 1);
      driver.wake();
      await().atMost(Duration.ofSeconds(5)).until(() -> turns.get() == 2);

      next.set(clock.instant().plusMillis(200)); // an hour's alarm is set; this must ring sooner
      driver.wake();
      await().atMost(Duration.ofSeconds(5)).until(() -> turns.get() >= 4);
    } finally {
      driver.stop();
    }
  }
}
