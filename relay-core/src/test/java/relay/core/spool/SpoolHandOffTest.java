package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.spool.SpoolFixtures.envelope;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.recoverAfterRestart;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.delivery.AttemptReport;
import relay.core.reply.SmtpReply;

/**
 * A queue handed from one spool to another through an archive ({@link SpoolExport}, {@link
 * SpoolImport}): every message arrives once with its id, connector, TLS requirement, attempts and
 * per-recipient state; the source keeps none of them; importing again adds nothing; an export cut
 * short is finished by running it again, and its archive cannot be imported before that.
 */
class SpoolHandOffTest {

  private static final Instant LATER = SpoolFixtures.RECEIVED.plusSeconds(3600);

  @TempDir Path dir;

  private QueuedMessage commit(FileSpool spool, String body, String connector, boolean requireTls) throws IOException {
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(text(body));
      return transaction.commit(List.of(new SpoolPart(envelope(), connector, requireTls, List.of()))).getFirst();
    }
  }

  /** Three messages: alice delivered and bob waiting; both held; one that needs TLS, untouched. */
  private List<QueuedMessage> queue(FileSpool source) throws IOException {
    QueuedMessage partly = commit(source, "Subject: partly\r\n\r\none\r\n", "m365", false);
    AttemptReport busy = new AttemptReport.Replied(SmtpReply.of(451, "4.7.500", "Server busy"), null);
    partly = partly.withState(List.of(
        new RecipientState(partly.recipients().get(0).recipient(), RecipientStatus.DELIVERED, 1,
            new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "Ok"), null)),
        new RecipientState(partly.recipients().get(1).recipient(), RecipientStatus.PENDING, 1, busy)), 1, LATER);
    source.update(partly);
    source.park(partly);
    QueuedMessage held = commit(source, "Subject: held\r\n\r\ntwo\r\n", "m365", false);
    held = held.withState(held.recipients().stream()
        .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 2, busy)).toList(), 2, LATER);
    source.update(held);
    source.park(held);
    QueuedMessage secure = commit(source, "Subject: secure\r\n\r\nthree\r\n", "partner", true);
    return List.of(partly, held, secure);
  }

  @Test
  void everyMessageMovesOnceWithItsStateAndImportingAgainAddsNothing() throws Exception {
    List<QueuedMessage> queued;
    try (FileSpool source = spool(dir.resolve("a"))) {
      queued = queue(source);
    }

    ArchiveReport exported = new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("archive"));

    assertThat(exported.moved()).isEqualTo(3);
    assertThat(exported.held()).isEqualTo(1);
    assertThat(exported.byConnector()).isEqualTo(Map.of("m365", 2, "partner", 1));
    assertThat(recoverAfterRestart(dir.resolve("a"))).as("the source delivers none of them again").isEmpty();
    assertThat(filesIn(dir.resolve("a").resolve("queue"))).isEmpty();
    assertThat(filesIn(dir.resolve("a").resolve("exported"))).isEmpty();
    try (FileSpool source = spool(dir.resolve("a"))) {
      assertThat(source.parkedCount("m365") + source.heldCount("m365")).isZero();
    }

    ArchiveReport imported = new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive"));

    assertThat(imported.moved()).isEqualTo(3);
    assertThat(imported.held()).isEqualTo(1);
    try (FileSpool target = spool(dir.resolve("b"))) {
      List<QueuedMessage> recovered = target.recover();
      assertThat(recovered).containsExactlyInAnyOrderElementsOf(queued);
      QueuedMessage partly = recovered.stream().filter(m -> m.id().equals(queued.get(0).id())).findFirst().orElseThrow();
      assertThat(partly.recipients()).extracting(RecipientState::status)
          .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.PENDING);
      assertThat(partly.nextAttemptAt()).isEqualTo(LATER);
      assertThat(recovered.stream().filter(QueuedMessage::isHeld)).singleElement()
          .extracting(QueuedMessage::id).isEqualTo(queued.get(1).id());
      assertThat(recovered.stream().filter(QueuedMessage::requireTls)).singleElement()
          .satisfies(m -> assertThat(m.connector()).isEqualTo("partner"));
      assertThat(new String(readBody(target.body(partly)))).isEqualTo("Subject: partly\r\n\r\none\r\n");

      // Again, before and after the target delivered (and removed) one of them: nothing comes back.
      assertThat(new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive")))
          .satisfies(r -> assertThat(r.moved()).isZero()).satisfies(r -> assertThat(r.alreadyDone()).isEqualTo(3));
      target.remove(partly);
      assertThat(new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive")).moved()).isZero();
      assertThat(recoverAfterRestart(dir.resolve("b"))).hasSize(2);
    }
  }

  @Test
  void anInterruptedExportIsNeitherDeliveredByTheSourceNorImportableUntilRunAgain() throws Exception {
    List<QueuedMessage> queued;
    try (FileSpool source = spool(dir.resolve("a"))) {
      queued = queue(source);
    }
    // The second message cannot be placed in the archive: the export stops after taking its batch
    // (all three) from the queue, with only the first archived.
    Path archive = dir.resolve("archive");
    Path obstacle = Files.createDirectories(archive.resolve("messages").resolve(queued.get(1).id().value() + ".msg"));
    Files.writeString(obstacle.resolve("x"), "in the way");
    Files.writeString(archive.resolve("source"), dir.resolve("a").toAbsolutePath() + "\n");

    assertThatThrownBy(() -> new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive)).isInstanceOf(IOException.class);

    assertThat(recoverAfterRestart(dir.resolve("a"))).as("taken messages are not delivered by the source").isEmpty();
    assertThat(filesIn(dir.resolve("a").resolve("exported"))).extracting(p -> p.getFileName().toString())
        .contains(queued.get(1).id().value() + ".msg", queued.get(2).id().value() + ".msg");
    assertThatThrownBy(() -> new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(archive)).hasMessageContaining("no manifest");
    assertThatThrownBy(() -> new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("elsewhere")))
        .hasMessageContaining("did not finish: run it again with --to " + archive.toAbsolutePath());

    Files.delete(obstacle.resolve("x"));
    Files.delete(obstacle);
    ArchiveReport finished = new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive);

    assertThat(finished.moved()).isEqualTo(3);
    assertThat(new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(archive).moved()).isEqualTo(3);
    assertThat(recoverAfterRestart(dir.resolve("b"))).containsExactlyInAnyOrderElementsOf(queued);
  }

  @Test
  void anExportStoppedAfterItsManifestIsDoneWhenRunAgain() throws Exception {
    try (FileSpool source = spool(dir.resolve("a"))) {
      queue(source);
    }
    Path archive = dir.resolve("archive").toAbsolutePath();
    new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive);
    // As if killed after the manifest, before the note of the export under way was deleted.
    Path note = Files.writeString(dir.resolve("a").resolve("exported").resolve("archive"), archive + "\n");

    ArchiveReport again = new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive);

    assertThat(again.moved()).isEqualTo(3);
    assertThat(note).doesNotExist();
    assertThatThrownBy(() -> new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(archive))
        .hasMessageContaining("complete archive already");
  }

  @Test
  void aDamagedArchiveImportsNothing() throws Exception {
    try (FileSpool source = spool(dir.resolve("a"))) {
      queue(source);
    }
    new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("archive"));
    Path victim = filesIn(dir.resolve("archive").resolve("messages")).getFirst();
    byte[] bytes = Files.readAllBytes(victim);
    bytes[3] ^= 1;
    Files.write(victim, bytes);

    assertThatThrownBy(() -> new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive")))
        .hasMessageContaining("does not verify; nothing imported").hasMessageContaining("checksum differs");
    assertThat(filesIn(dir.resolve("b"))).noneMatch(p -> p.toString().contains("queue"));
  }

  @Test
  void anImportCutShortIsSettledWhenTheSpoolOpens() throws Exception {
    try (FileSpool source = spool(dir.resolve("a"))) {
      queue(source);
    }
    new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("archive"));
    new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive"));
    Path imports = dir.resolve("b").resolve("imports");
    List<Path> done = filesIn(imports.resolve("done"));
    // As if killed between the commit and the done marker of one message, and of another before its commit.
    Path committed = done.get(0);
    Files.move(committed, imports.resolve("pending").resolve(committed.getFileName()));
    Path uncommitted = done.get(1);
    Files.move(uncommitted, imports.resolve("pending").resolve(uncommitted.getFileName()));
    relay.core.envelope.MessageId lost = new relay.core.envelope.MessageId(uncommitted.getFileName().toString());
    Files.delete(SpoolFixtures.messageFile(dir.resolve("b"), lost));

    try (FileSpool target = spool(dir.resolve("b"))) { // opening settles both
      target.remove(target.read(new relay.core.envelope.MessageId(committed.getFileName().toString())).orElseThrow());
      ArchiveReport again = new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive"));

      assertThat(again.moved()).as("only the one that never committed").isEqualTo(1);
      assertThat(recoverAfterRestart(dir.resolve("b"))).extracting(QueuedMessage::id).contains(lost).hasSize(2);
    }
  }

  @Test
  void exportAndImportWaitForTheRelayToLetGoOfTheSpool() throws Exception {
    spool(dir.resolve("a")).close();
    try (SpoolLock running = SpoolLock.acquire(dir.resolve("a"))) {
      assertThatThrownBy(() -> new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("archive")))
          .isInstanceOf(SpoolInUseException.class).hasMessageContaining("stop it first");
    }
  }
}
