package relay.server.outbound.oauth;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the outcomes a {@link TokenSource} reports, in order; thread-safe. */
final class RecordingListener implements TokenListener {

  private final List<RefreshOutcome> outcomes = new CopyOnWriteArrayList<>();

  @Override
  public void requested(TokenEndpoint endpoint, RefreshOutcome outcome, Duration took) {
    outcomes.add(outcome);
  }

  List<RefreshOutcome> outcomes() {
    return List.copyOf(outcomes);
  }
}
