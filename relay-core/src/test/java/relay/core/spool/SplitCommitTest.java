package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.Envelope;
import relay.core.envelope.Recipient;
import relay.core.routing.header.HeaderEdit;

class SplitCommitTest {

  private static final byte[] MESSAGE =
      text("Received: from printer\r\nSubject: scan\r\nFrom: a@example.org\r\n\r\nbody line\r\nSubject: not a header\r\n");

  @TempDir Path root;

  private static Envelope only(Recipient recipient) {
    Envelope e = SpoolFixtures.envelope();
    return new Envelope(e.sender(), e.parameters(), List.of(recipient), e.client(), e.receivedAt());
  }

  private static List<SpoolPart> twoParts(List<HeaderEdit> secondEdits) {
    Envelope e = SpoolFixtures.envelope();
    return List.of(
        new SpoolPart(only(e.recipients().get(0)), "internal", false, List.of()),
        new SpoolPart(only(e.recipients().get(1)), "partner", true, secondEdits));
  }

  @Test
  void eachPartIsQueuedWithOnlyItsRecipientsConnectorAndTlsFlag() throws Exception {
    try (FileSpool spool = spool(root)) {
      List<QueuedMessage> queued;
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(MESSAGE);
        queued = transaction.commit(twoParts(List.of()));
      }

      assertThat(queued).hasSize(2);
      assertThat(queued.get(0).id()).isNotEqualTo(queued.get(1).id());
      assertThat(queued.get(0).envelope().recipients()).extracting(r -> r.address().toString())
          .containsExactly("<alice@example.com>");
      assertThat(queued.get(1).envelope().recipients()).extracting(r -> r.address().toString())
          .containsExactly("<bob@example.net>");
      assertThat(queued).extracting(QueuedMessage::connector).containsExactly("internal", "partner");
      assertThat(queued).extracting(QueuedMessage::requireTls).containsExactly(false, true);
      for (QueuedMessage message : queued) {
        assertThat(readBody(spool.body(message))).isEqualTo(MESSAGE);
      }
      assertThat(recoverAfterRestart(root)).containsExactlyInAnyOrderElementsOf(queued);
    }
  }

  @Test
  void headerEditsOfAPartAreAppliedToItsStoredCopyOnly() throws Exception {
    try (FileSpool spool = spool(root)) {
      List<QueuedMessage> queued;
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(MESSAGE);
        queued = transaction.commit(twoParts(List.of(
            new HeaderEdit.Add("X-Relay-Rule", "partner"), new HeaderEdit.PrependSubject("[EXT] "))));
      }

      String first = new String(readBody(spool.body(queued.get(0))), StandardCharsets.UTF_8);
      String second = new String(readBody(spool.body(queued.get(1))), StandardCharsets.UTF_8);
      assertThat(first).isEqualTo(new String(MESSAGE, StandardCharsets.UTF_8));
      assertThat(second).isEqualTo(
          "X-Relay-Rule: partner\r\nReceived: from printer\r\nSubject: [EXT] scan\r\nFrom: a@example.org\r\n\r\n"
              + "body line\r\nSubject: not a header\r\n");
      assertThat(queued.get(1).bodySize()).isEqualTo(second.getBytes(StandardCharsets.UTF_8).length);
      assertThat(recoverAfterRestart(root)).containsExactlyInAnyOrderElementsOf(queued);
    }
  }

  @Test
  void aSinglePartWithEditsReplacesTheStreamedContentAndLeavesNoLeftover() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage queued;
      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(MESSAGE);
        queued = transaction.commit(List.of(new SpoolPart(
            SpoolFixtures.envelope(), "internal", false, List.of(new HeaderEdit.Remove("Received"))))).getFirst();
      }

      assertThat(new String(readBody(spool.body(queued)), StandardCharsets.UTF_8))
          .startsWith("Subject: scan\r\nFrom: a@example.org\r\n\r\nbody line");
      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).hasSize(1);
    }
  }

  @Test
  void whenTheCommitFailsNoPartStaysQueued() throws Exception {
    try (FileSpool spool =
        new FileSpool(
            root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(3),
            SpoolFixtures.onBuckets(root, new GroupCommit(() -> { throw new IOException("fsync failed"); })), null)) {
      spool.recover();

      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(MESSAGE);
        assertThatThrownBy(() -> transaction.commit(twoParts(List.of(new HeaderEdit.Add("X-A", "b")))))
            .isInstanceOf(IOException.class);
      }

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      assertThat(spool.size()).isZero();
      assertThat(recoverAfterRestart(root)).isEmpty();
    }
  }
}
