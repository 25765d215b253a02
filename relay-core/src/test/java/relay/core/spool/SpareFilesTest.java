package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool reuses removed messages' files: what is read back, recovered and left on disk. */
class SpareFilesTest {

  @TempDir Path root;

  @Test
  void removedMessageFileIsOverwrittenByTheNextMessage() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage first = commit(spool, text("Subject: first\r\n\r\nbody\r\n"));
      Object inode = Files.getAttribute(SpoolFixtures.messageFile(root, first.id()), "unix:ino");

      spool.remove(first);
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      assertThat(filesIn(root.resolve("incoming"))).hasSize(1);

      QueuedMessage second = commit(spool, text("Subject: second\r\n\r\nbody\r\n"));

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(Files.getAttribute(SpoolFixtures.messageFile(root, second.id()), "unix:ino"))
          .isEqualTo(inode);
    }
  }

  @Test
  void shorterMessageInALongerSpareIsReadAndRecoveredExactly() throws Exception {
    try (FileSpool spool = spool(root)) {
      byte[] longBody = new byte[100_000];
      Arrays.fill(longBody, (byte) 'x');
      spool.remove(commit(spool, longBody));
      byte[] shortBody = text("Subject: short\r\n\r\nfits in the spare\r\n");

      QueuedMessage message = commit(spool, shortBody);

      assertThat(Files.size(SpoolFixtures.messageFile(root, message.id()))).isLessThan(1_000);
      assertThat(readBody(spool.body(message))).isEqualTo(shortBody);
      try (FileSpool restarted = new FileSpool(root, 0, SpoolFixtures.CLOCK, new SplittableRandom(9))) {
        assertThat(restarted.recover()).containsExactly(message);
        assertThat(readBody(restarted.body(message))).isEqualTo(shortBody);
        assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
      }
    }
  }

  @Test
  void largeFilesAreDeletedNotKept() throws Exception {
    try (FileSpool spool = spool(root)) {
      QueuedMessage big = commit(spool, new byte[300 * 1024]);

      spool.remove(big);

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
    }
  }

  @Test
  void atMost256SparesAreKept() throws Exception {
    try (FileSpool spool = spool(root)) {
      List<QueuedMessage> messages = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        messages.add(commit(spool, text("message " + i + "\r\n")));
      }

      for (QueuedMessage message : messages) {
        spool.remove(message);
      }

      assertThat(filesIn(root.resolve("incoming"))).hasSize(256);
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
    }
  }

  @Test
  void abandonedWriteIntoASpareLeavesNothingBehind() throws Exception {
    try (FileSpool spool = spool(root)) {
      spool.remove(commit(spool, text("delivered\r\n")));

      try (SpoolTransaction transaction = spool.begin()) {
        transaction.body().write(text("half a message"));
      }

      assertThat(filesIn(root.resolve("incoming"))).isEmpty();
      assertThat(filesIn(root.resolve("queue"))).isEmpty();
      QueuedMessage next = commit(spool, text("next\r\n"));
      assertThat(readBody(spool.body(next))).isEqualTo(text("next\r\n"));
    }
  }

  @Test
  void recoveryDeletesSparesAndTheSpoolWritesNewFilesAfterwards() throws Exception {
    try (FileSpool spool = spool(root)) {
      spool.remove(commit(spool, text("delivered\r\n")));

      try (FileSpool restarted = new FileSpool(root, 0, SpoolFixtures.CLOCK, new SplittableRandom(5))) {
        assertThat(restarted.recover()).isEmpty();
        assertThat(filesIn(root.resolve("incoming"))).isEmpty();

        QueuedMessage next = commit(restarted, text("after restart\r\n"));
        assertThat(readBody(restarted.body(next))).isEqualTo(text("after restart\r\n"));
      }
    }
  }

  @Test
  void spareDeletedBehindTheSpoolsBackIsNotAnError() throws Exception {
    try (FileSpool spool = spool(root)) {
      spool.remove(commit(spool, text("delivered\r\n")));
      for (Path spare : filesIn(root.resolve("incoming"))) {
        Files.delete(spare);
      }

      QueuedMessage next = commit(spool, text("still accepted\r\n"));

      assertThat(readBody(spool.body(next))).isEqualTo(text("still accepted\r\n"));
    }
  }
}
