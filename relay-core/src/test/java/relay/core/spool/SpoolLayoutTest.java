package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout-2 spool: buckets by time, conversion of layout 1, and the parking index. */
class SpoolLayoutTest {

  @TempDir Path root;

  @Test
  void messagesGoIntoTimeBucketsSoNoDirectoryHoldsMoreThanAboutHalfAMinuteOfMail() throws Exception {
    AtomicLong millis = new AtomicLong(Instant.parse("2026-03-01T08:00:00Z").toEpochMilli());
    try (FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, () -> Instant.ofEpochMilli(millis.get()),
        new SplittableRandom(1))) {
      spool.open();
      List<QueuedMessage> written = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        written.add(commit(spool, text("m" + i + "\r\n")));
        millis.addAndGet(20_000);
      }

      List<Path> files = filesIn(root.resolve("queue"));
      assertThat(files).hasSize(6).allSatisfy(f -> assertThat(root.resolve("queue").relativize(f).getNameCount()).isEqualTo(3));
      assertThat(files.stream().map(Path::getParent).distinct().count()).as("33-second buckets").isGreaterThanOrEqualTo(3);
      assertThat(recoverAfterRestart(root)).containsExactlyElementsOf(written);
    }
  }

  @Test
  void layoutOneSpoolIsConvertedAndItsMessagesRecovered() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage first = commit(spool, text("first\r\n"));
      QueuedMessage second = commit(spool, text("second\r\n"));
      spool.update(second.withState(second.recipients(), 1, second.nextAttemptAt().plusSeconds(60)));
      spool.journal().retireAll();
      // As a release before layout 2 left it: every file directly in queue/, no layout file.
      for (Path file : filesIn(root.resolve("queue"))) {
        Files.move(file, root.resolve("queue").resolve(file.getFileName()));
      }
      Files.delete(root.resolve("layout"));

      List<QueuedMessage> recovered = recoverAfterRestart(root);

      assertThat(recovered).extracting(QueuedMessage::id).containsExactly(first.id(), second.id());
      assertThat(recovered.get(1).attempts()).as("its state file came along").isEqualTo(1);
      assertThat(Files.list(root.resolve("queue")).filter(Files::isRegularFile)).isEmpty();
      assertThat(SpoolFixtures.messageFile(root, first.id())).exists();
      assertThat(Files.readString(root.resolve("layout"), StandardCharsets.US_ASCII).strip()).isEqualTo("3");
      assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
    }
  }

  @Test
  void layoutTwoSpoolIsMarkedThreeAtStartSoThatAnOlderRelayLeavesItsJournalAlone() throws Exception {
    QueuedMessage message;
    try (FileSpool spool = spool(root)) {
      message = commit(spool, text("kept\r\n"));
    }
    Files.writeString(root.resolve("layout"), "2\n");

    assertThat(recoverAfterRestart(root)).containsExactly(message);
    assertThat(Files.readString(root.resolve("layout"), StandardCharsets.US_ASCII).strip()).isEqualTo("3");
  }

  @Test
  void spoolOfANewerLayoutIsRefused() throws Exception {
    spool(root).close();
    Files.writeString(root.resolve("layout"), "4\n");

    assertThatThrownBy(() -> spool(root)).isInstanceOf(IOException.class).hasMessageContaining("layout 4");
  }

  @Test
  void tornMessageInABucketIsQuarantinedAndItsNeighbourRecovered() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage intact = commit(spool, text("intact\r\n"));
      QueuedMessage torn = commit(spool, text("torn\r\n"));
      spool.journal().retireAll(); // forced and out of the journal: the file is the only copy
      Path file = SpoolFixtures.messageFile(root, torn.id());
      byte[] bytes = Files.readAllBytes(file);
      Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));

      assertThat(recoverAfterRestart(root)).containsExactly(intact);
      assertThat(root.resolve("quarantine").resolve(torn.id() + ".msg")).exists();
    }
  }

  @Test
  void parkedMessageIsFoundWhenDueAndHeldMessagesAreListedAndCounted() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage message = commit(spool, text("later\r\n")).withConnector("smart");
      Instant due = message.nextAttemptAt().plus(Duration.ofMinutes(10));
      QueuedMessage deferred = message.withState(message.recipients(), 1, due);
      spool.update(deferred);
      spool.park(deferred);

      assertThat(spool.unpark("smart", due.minus(Duration.ofMinutes(2)), 10)).isEmpty();
      assertThat(spool.nextParked("smart")).get().matches(at -> !at.isAfter(due));
      assertThat(spool.unpark("other", due, 10)).isEmpty();
      assertThat(spool.unpark("smart", due, 10)).containsExactly(deferred.withConnector("smart"));
      assertThat(spool.unpark("smart", due, 10)).as("taken once per park").isEmpty();

      QueuedMessage held = deferred.withState(deferred.recipients().stream()
          .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 1,
              new relay.core.delivery.AttemptReport.Replied(relay.core.reply.SmtpReply.of(535, "5.7.139", "disabled")))).toList(), 1, due);
      spool.update(held);
      spool.park(held);
      assertThat(spool.heldCount("smart")).isEqualTo(1);
      assertThat(spool.held("smart", 10)).extracting(QueuedMessage::id).containsExactly(held.id());

      spool.update(deferred); // released
      assertThat(spool.heldCount("smart")).isZero();
    }
  }

  @Test
  void heldMessageKeepsItsConnectorAndTlsRequirementThroughParkingAndARestart() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued;
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(text("require-tls rule\r\n"));
        queued = transaction.commit(List.of(new SpoolPart(SpoolFixtures.envelope(), "m365", true, List.of()))).getFirst();
      }
      QueuedMessage held = queued.withState(queued.recipients().stream()
          .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 1,
              new relay.core.delivery.AttemptReport.Replied(relay.core.reply.SmtpReply.of(535, "5.7.139", "disabled"))))
          .toList(), 1, queued.nextAttemptAt());
      spool.update(held);
      spool.park(held);
    }

    try (FileSpool restarted = spool(root)) {
      assertThat(restarted.recover()).singleElement().satisfies(m -> {
        assertThat(m.connector()).isEqualTo("m365");
        assertThat(m.requireTls()).isTrue();
        assertThat(m.isHeld()).isTrue();
      });
      assertThat(restarted.held("m365", 10)).singleElement().satisfies(m -> {
        assertThat(m.connector()).isEqualTo("m365");
        assertThat(m.requireTls()).isTrue();
      });
    }
  }

  @Test
  void bringingForwardMakesMailParkedUnderALongScheduleDueSooner() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage message = commit(spool, text("x\r\n")).withConnector("smart");
      Instant now = message.nextAttemptAt();
      QueuedMessage deferred = message.withState(message.recipients(), 1, now.plus(Duration.ofHours(5)));
      spool.update(deferred);
      spool.park(deferred);

      spool.bringForward("smart", now.plus(Duration.ofMinutes(1)));

      assertThat(spool.unpark("smart", now.plus(Duration.ofMinutes(2)), 10)).extracting(QueuedMessage::id)
          .containsExactly(message.id());
    }
  }
}
