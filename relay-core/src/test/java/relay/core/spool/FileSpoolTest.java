package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;
import static relay.core.testing.Attempts.reply;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.MessageId;

class FileSpoolTest {

  @TempDir Path root;

  @Test
  void committedMessageIsRecoveredWithItsEnvelopeAndByteExactBody() throws Exception {
    byte[] body = text("Subject: scan\r\n\r\nline one\r\n.leading dot kept\r\n\u00e9\r\n");
    QueuedMessage committed;
    try (FileSpool spool = spool(root)) {
      committed = commit(spool, body);
    }

    try (FileSpool restarted = new FileSpool(root, 0, SpoolFixtures.CLOCK, new SplittableRandom(1))) {
      List<QueuedMessage> recovered = restarted.recover();

      assertThat(recovered).containsExactly(committed);
      QueuedMessage message = recovered.getFirst();
      assertThat(message.envelope()).isEqualTo(SpoolFixtures.envelope());
      assertThat(message.recipients()).allMatch(r -> r.status() == RecipientStatus.PENDING);
      assertThat(message.bodySize()).isEqualTo(body.length);
      assertThat(restarted.body(message).size()).isEqualTo(body.length);
      assertThat(readBody(restarted.body(message))).isEqualTo(body);
    }
  }

  @Test
  void emptyBodyIsQueuedAndReadBackEmpty() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage message = commit(spool, new byte[0]);

      assertThat(readBody(spool.body(message))).isEmpty();
      assertThat(recoverAfterRestart(root)).containsExactly(message);
    }
  }

  @Test
  void eachBodyOpenStartsAgainFromTheBeginning() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage message = commit(spool, text("abc\r\n"));

      MessageBody body = spool.body(message);

      assertThat(readBody(body)).isEqualTo(text("abc\r\n"));
      assertThat(readBody(body)).isEqualTo(text("abc\r\n"));
    }
  }

  @Test
  void closingWithoutCommitLeavesNothingBehind() throws Exception {
    try (FileSpool spool = spool(root)) {
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(text("half a message"));
      }

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      assertThat(spool.size()).isZero();
      assertThat(recoverAfterRestart(root)).isEmpty();
    }
  }

  @Test
  void failedDirectorySyncMakesCommitThrowAndLeavesNothingQueued() throws Exception {
    try (FileSpool spool =
        new FileSpool(
            root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(3),
            SpoolFixtures.onBuckets(root, new GroupCommit(() -> { throw new IOException("fsync failed"); })), null)) {
      spool.recover();

      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(text("body"));
        assertThatThrownBy(() -> transaction.commit(SpoolFixtures.envelope()))
            .isInstanceOf(IOException.class);
      }

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      assertThat(spool.size()).isZero();
      assertThat(recoverAfterRestart(root)).isEmpty();
    }
  }

  @Test
  void bodyWritesAfterCommitAreRefused() throws Exception {
    try (FileSpool spool = spool(root)) {
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(text("x"));
        QueuedMessage message = transaction.commit(SpoolFixtures.envelope());

        assertThatThrownBy(() -> transaction.body().write('y')).isInstanceOf(IOException.class);
        assertThat(readBody(spool.body(message))).isEqualTo(text("x"));
      }
    }
  }

  @Test
  void updatedDeliveryStateIsWhatRecoveryReturns() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued = commit(spool, text("hello\r\n"));
      QueuedMessage later =
          new QueuedMessage(
              queued.id(),
              queued.envelope(),
              List.of(
                  new RecipientState(
                      queued.envelope().recipients().get(0), RecipientStatus.DELIVERED, 1, reply(250, "2.0.0", "ok")),
                  new RecipientState(
                      queued.envelope().recipients().get(1), RecipientStatus.PENDING, 1, reply(451, "4.4.1", "later"))),
              1,
              Instant.parse("2026-11-23T10:30:00Z"),
              queued.bodySize());

      spool.update(later);

      assertThat(recoverAfterRestart(root)).containsExactly(later);
      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
    }
  }

  @Test
  void updatingAMessageThatIsNotQueuedFails() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued = commit(spool, text("hello\r\n"));
      spool.remove(queued);

      assertThatThrownBy(() -> spool.update(queued)).isInstanceOf(NoSuchFileException.class);
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
    }
  }

  @Test
  void removedMessageIsGoneWithItsStateAndNotRecovered() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage kept = commit(spool, text("keep\r\n"));
      QueuedMessage gone = commit(spool, text("gone\r\n"));
      spool.update(gone);

      spool.remove(gone);

      assertThat(spool.size()).isEqualTo(1);
      assertThat(filesIn(root.resolve("queue")))
          .extracting(p -> p.getFileName().toString())
          .containsExactly(kept.id() + ".msg");
      assertThat(recoverAfterRestart(root)).containsExactly(kept);
      assertThatThrownBy(() -> spool.body(gone).open()).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void removeDeletesWithoutForcingTheQueueDirectoryWhileCommitAndUpdateForceIt() throws Exception {
    AtomicLong forces = new AtomicLong();
    Path queue = root.resolve("queue");
    try (FileSpool spool =
        new FileSpool(
            root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(5),
            SpoolFixtures.onBuckets(root, new GroupCommit(forces::incrementAndGet)), null)) {
      spool.recover();
      QueuedMessage queued = commit(spool, text("hello\r\n"));
      assertThat(forces).hasValue(1);
      spool.update(queued);
      assertThat(forces).hasValue(2);

      spool.remove(queued);

      assertThat(forces).hasValue(2);
      assertThat(filesIn(queue)).isEmpty();
      assertThat(recoverAfterRestart(root)).isEmpty();
    }
  }

  @Test
  void sizeCountsQueuedMessages() throws Exception {
    try (FileSpool spool = spool(root)) {
      assertThat(spool.size()).isZero();
      QueuedMessage first = commit(spool, text("1"));
      commit(spool, text("2"));
      try (SpoolTransaction abandoned = spool.begin()) {
        abandoned.body().write(text("3"));
      }
      assertThat(spool.size()).isEqualTo(2);

      spool.remove(first);

      assertThat(spool.size()).isEqualTo(1);
      try (FileSpool restarted = spool(root)) {
        assertThat(restarted.size()).isEqualTo(1);
      }
    }
  }

  @Test
  void beginRefusesNewMailWhileFreeSpaceIsBelowTheFloor() throws Exception {
    AtomicLong free = new AtomicLong(999);
    try (FileSpool spool = new FileSpool(root, 1000, free::get, SpoolFixtures.CLOCK, new SplittableRandom(5))) {
      spool.recover();
      assertThat(spool.admitsNewMessage()).as("known from the reading at recovery").isFalse();

      assertThatThrownBy(spool::begin).isInstanceOf(SpoolFullException.class);
      assertThat(filesIn(root.resolve("incoming"))).isEmpty();

      free.set(1000);
      assertThat(spool.admitsNewMessage()).as("the quick answer only changes with the next reading").isFalse();
      assertThat(commit(spool, text("fits\r\n")).bodySize()).isEqualTo(6);
      assertThat(spool.admitsNewMessage()).isTrue();

      free.set(10);
      assertThatThrownBy(spool::begin).isInstanceOf(SpoolFullException.class);
      assertThat(spool.admitsNewMessage()).isFalse();
    }
  }

  @Test
  void queueIdsSortByCreationTime() throws Exception {
    AtomicLong millis = new AtomicLong(1_700_000_000_000L);
    try (FileSpool spool =
        new FileSpool(
            root, 0, () -> Long.MAX_VALUE, () -> Instant.ofEpochMilli(millis.getAndAdd(1)),
            new SplittableRandom(11))) {
      spool.recover();
      MessageId earlier = commit(spool, text("a")).id();
      millis.addAndGet(86_400_000L);
      MessageId later = commit(spool, text("b")).id();

      assertThat(earlier.value()).isLessThan(later.value());
      assertThat(earlier.value()).hasSize(22).matches("[0-9A-Z]+");
    }
  }

  @Test
  void spoolRefusesUseBeforeRecovery() {
    FileSpool spool = new FileSpool(root, 0, SpoolFixtures.CLOCK, new SplittableRandom(1));

    assertThatThrownBy(spool::begin).isInstanceOf(IllegalStateException.class);
  }
}
