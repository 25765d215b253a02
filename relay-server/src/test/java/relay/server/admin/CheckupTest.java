package relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.server.health.Check;
import relay.server.health.CheckResult;

class CheckupTest {

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void stop() {
    never.countDown();
    executor.close();
  }

  @Test
  void aCheckThatDoesNotAnswerByTheDeadlineFailsInsteadOfHoldingTheAnswer() {
    Check stuck = new Check("smtp-lan", () -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return CheckResult.ok();
    });
    Checkup checkup = new Checkup(List.of(new Check("relay", CheckResult::ok), stuck), Duration.ofMillis(200), executor);

    Checkup.Answer answer = assertTimeoutPreemptively(Duration.ofSeconds(10), checkup::run);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.body()).isEqualTo("ok relay\nfail smtp-lan: no answer within 200 ms\n");
  }

  @Test
  void aCheckThatThrowsFailsWithTheException() {
    Check broken = new Check("spool", () -> {
      throw new IllegalStateException("no spool");
    });
    Checkup checkup = new Checkup(List.of(broken), Duration.ofSeconds(5), executor);

    assertThat(checkup.run()).isEqualTo(new Checkup.Answer(503, "fail spool: java.lang.IllegalStateException: no spool\n"));
  }

  @Test
  void namesAreOneWordSoEveryLineSplitsIntoVerdictNameAndReason() {
    Checkup checkup = new Checkup(List.of(new Check(" smtp office  lan ", () -> CheckResult.failed("a\r\nb"))),
        Duration.ofSeconds(5), executor);

    assertThat(checkup.run().body()).isEqualTo("fail smtp-office-lan: a b\n");
  }
}
