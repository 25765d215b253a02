package relay.server.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import relay.server.health.Check;
import relay.server.health.CheckResult;

/**
 * Runs a set of {@link Check}s for one {@code /healthz} or {@code /readyz} request and renders the
 * answer: one line per check in the given order, {@code ok NAME} or {@code fail NAME: REASON}, and
 * status 200 only when every check passed.
 *
 * <p>The checks run at once, each on its own thread, and the whole request waits at most {@code
 * deadline}: a check that has not answered by then fails ("no answer within ..."), so a hung relay
 * gets a 503 instead of a request that never ends (or, worse, a 200 from a thread that did not
 * look). A check that throws fails with the exception as its reason.
 *
 * <p>Immutable; {@link #run} may be called concurrently.
 */
final class Checkup {

  /** The HTTP answer: {@code status} 200 or 503 and the text body. */
  record Answer(int status, String body) {}

  private final List<Check> checks;
  private final Duration deadline;
  private final ExecutorService executor;

  Checkup(List<Check> checks, Duration deadline, ExecutorService executor) {
    this.checks = List.copyOf(checks);
    this.deadline = deadline;
    this.executor = executor;
  }

  Answer run() {
    List<Future<CheckResult>> running = new ArrayList<>(checks.size());
    for (Check check : checks) {
      running.add(executor.submit(() -> check.probe().get()));
    }
    long end = System.nanoTime() + deadline.toNanos();
    StringBuilder body = new StringBuilder();
    boolean allOk = true;
    for (int i = 0; i < checks.size(); i++) {
      String name = checks.get(i).name();
      switch (outcome(running.get(i), end)) {
        case CheckResult.Ok ok -> body.append("ok ").append(name).append('\n');
        case CheckResult.Degraded degraded ->
            body.append("degraded ").append(name).append(": ").append(degraded.reason()).append('\n');
        case CheckResult.Failed failed -> {
          allOk = false;
          body.append("fail ").append(name).append(": ").append(failed.reason()).append('\n');
        }
      }
    }
    return new Answer(allOk ? 200 : 503, body.toString());
  }

  private CheckResult outcome(Future<CheckResult> result, long end) {
    try {
      CheckResult found = result.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      return found == null ? CheckResult.failed("no result") : found;
    } catch (TimeoutException e) {
      result.cancel(true);
      return CheckResult.failed("no answer within " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      return CheckResult.failed(e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.cancel(true);
      return CheckResult.failed("interrupted");
    }
  }
}
