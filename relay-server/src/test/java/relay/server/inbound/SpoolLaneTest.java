package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.session.SpoolFailure;
import relay.core.spool.QueuedMessage;
import relay.core.spool.SpoolPart;

/** The session's spool lane: staging, chunked hand-over, and failures at every point. */
class SpoolLaneTest {

  private static final SpoolPart PART = SpoolPart.whole(new Envelope(
      MailPath.parse("scanner@corp.example"), MailParameters.NONE,
      List.of(Recipient.of(MailPath.parse("ops@partner.example"))),
      new ClientInfo("192.0.2.7", 40000, "scanner", false, "lan"), Instant.parse("2026-11-23T08:00:00Z")));

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private TestSpool spool;
  private SpoolLane lane;

  @BeforeEach
  void setUp() {
    spool = new TestSpool(dir);
    lane = new SpoolLane(spool, executor, "S1");
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  @Test
  void aSmallMessageTouchesTheSpoolOnceAtCommit() throws Exception {
    assertThat(open()).isNull();
    write("Subject: hello\r\n\r\n");
    write("body line\r\n");
    idle();
    assertThat(spool.begins.get()).as("nothing begun before the commit").isZero();

    Commit result = commit();

    assertThat(result.failure()).isNull();
    assertThat(spool.begins.get()).isEqualTo(1);
    assertThat(new String(spool.content(result.queued().getFirst()), StandardCharsets.US_ASCII))
        .isEqualTo("Subject: hello\r\n\r\nbody line\r\n");
  }

  @Test
  void aLargeMessageStreamsToTheSpoolBeforeTheCommit() throws Exception {
    byte[] content = new byte[3 * SpoolLane.CHUNK + 123];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) ('a' + i % 26);
    }
    assertThat(open()).isNull();
    for (int at = 0; at < content.length; at += 1000) {
      lane.write(content, at, Math.min(1000, content.length - at), () -> {});
    }
    idle();
    assertThat(spool.openTransactions.get()).as("begun with the first chunk").isEqualTo(1);
    assertThat(lane.pendingBytes()).isZero();

    Commit result = commit();

    assertThat(result.failure()).isNull();
    assertThat(spool.content(result.queued().getFirst())).isEqualTo(content);
    assertThat(spool.begins.get()).isEqualTo(1);
    assertThat(spool.openTransactions.get()).isZero();
  }

  @Test
  void aFullSpoolIsReportedAtOpen() throws Exception {
    spool.mode.set(TestSpool.Mode.FULL);

    assertThat(open()).isEqualTo(SpoolFailure.FULL);
    assertThat(spool.openTransactions.get()).isZero();
  }

  @Test
  void aSpoolThatFillsUpDuringTheMessageFailsTheCommit() throws Exception {
    assertThat(open()).isNull();
    spool.mode.set(TestSpool.Mode.FULL);
    write("Subject: late\r\n\r\nx\r\n");

    Commit result = commit();

    assertThat(result.failure()).isEqualTo(SpoolFailure.FULL);
    assertThat(spool.messages()).isEmpty();
  }

  @Test
  void aMessageWhoseFirstChunkFoundTheSpoolFullIsNeverCommittedWithoutIt() throws Exception {
    assertThat(open()).isNull();
    spool.mode.set(TestSpool.Mode.FULL);
    lane.write(new byte[SpoolLane.CHUNK], 0, SpoolLane.CHUNK, () -> {});
    idle();
    spool.mode.set(TestSpool.Mode.OK); // room again: the rest must still not be queued alone
    write("tail\r\n");

    Commit result = commit();

    assertThat(result.failure()).isEqualTo(SpoolFailure.FULL);
    assertThat(spool.messages()).isEmpty();
    assertThat(spool.openTransactions.get()).isZero();
  }

  @Test
  void anAbandonedMessageLeavesNothingAndTheNextOneIsWhole() throws Exception {
    assertThat(open()).isNull();
    lane.write(new byte[2 * SpoolLane.CHUNK], 0, 2 * SpoolLane.CHUNK, () -> {});
    lane.abandon();
    idle();
    assertThat(spool.openTransactions.get()).isZero();

    assertThat(open()).isNull();
    write("Subject: second\r\n\r\n");
    Commit result = commit();

    assertThat(spool.messages()).hasSize(1);
    assertThat(new String(spool.content(result.queued().getFirst()), StandardCharsets.US_ASCII))
        .isEqualTo("Subject: second\r\n\r\n");
  }

  @Test
  void handedOverChunksReportTheirProgress() throws Exception {
    assertThat(open()).isNull();
    byte[] chunk = new byte[SpoolLane.CHUNK];
    Arrays.fill(chunk, (byte) 'x');
    CompletableFuture<Long> pendingAfterWrite = new CompletableFuture<>();
    lane.write(chunk, 0, chunk.length, () -> pendingAfterWrite.complete(lane.pendingBytes()));

    assertThat(pendingAfterWrite.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(spool.content(commit().queued().getFirst())).isEqualTo(chunk);
  }

  private SpoolFailure open() throws Exception {
    CompletableFuture<SpoolFailure> answer = new CompletableFuture<>();
    lane.open(answer::complete);
    return answer.get(10, TimeUnit.SECONDS);
  }

  private void write(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    lane.write(bytes, 0, bytes.length, () -> {});
  }

  private void idle() throws Exception {
    lane.idle().get(10, TimeUnit.SECONDS);
  }

  private Commit commit() throws Exception {
    CompletableFuture<Commit> answer = new CompletableFuture<>();
    lane.commit(List.of(PART), (queued, failure) -> answer.complete(new Commit(queued, failure)));
    return answer.get(10, TimeUnit.SECONDS);
  }

  private record Commit(List<QueuedMessage> queued, SpoolFailure failure) {}
}
