package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Graph's {@code Retry-After}, in both forms HTTP allows: seconds, or a date read against the
 * answer's own {@code Date} so that this host's clock plays no part.
 */
class GraphRetryAfterTest {

  private static final Optional<String> SENT = Optional.of("Mon, 07 Dec 2026 09:00:00 GMT");

  @Test
  void secondsAreTakenAsTheyAre() {
    assertThat(GraphClient.retryAfter("37", Optional.empty())).contains(Duration.ofSeconds(37));
    assertThat(GraphClient.retryAfter(" 0 ", SENT)).contains(Duration.ZERO);
  }

  @Test
  void aDateIsTheWaitFromTheAnswersOwnDate() {
    assertThat(GraphClient.retryAfter("Mon, 07 Dec 2026 09:02:30 GMT", SENT)).contains(Duration.ofSeconds(150));
    assertThat(GraphClient.retryAfter("Mon, 07 Dec 2026 08:59:00 GMT", SENT)).contains(Duration.ZERO);
  }

  @Test
  void whatCannotBeReadLeavesTheMailboxsOwnPause() {
    assertThat(GraphClient.retryAfter("soon", SENT)).isEmpty();
    assertThat(GraphClient.retryAfter("Mon, 07 Dec 2026 09:02:30 GMT", Optional.empty())).isEmpty();
    assertThat(GraphClient.retryAfter("-5", SENT)).contains(Duration.ZERO);
  }
}
