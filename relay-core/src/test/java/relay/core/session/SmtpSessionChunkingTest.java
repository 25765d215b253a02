package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.Domain;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.metrics.SmtpStage;
import relay.core.reply.Replies;
import relay.core.tracking.TrackingEvent;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderSection;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;

/** BDAT (RFC 3030) in the pure session: what each chunk leads to, without sockets. */
class SmtpSessionChunkingTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  /** 1,000-octet messages (so chunks are read up to 1,500 per transaction), 5 errors allowed. */
  private static final SessionLimits LIMITS =
      new SessionLimits(1000, 3, 5, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10));

  private static SessionDriver driver(BareLineEndings bare) {
    InboundConnector connector = new InboundConnector(
        "printers", List.of(ClientNetwork.parse("192.0.2.0/24")), false, Set.of(Domain.of("corp.example")),
        false, Set.of(Domain.of("corp.example")), bare, LIMITS);
    return new SessionDriver(new SmtpSession(new SessionContext(
        "relay.example", Optional.of(connector), "192.0.2.10", 40000, true, InstantSource.fixed(NOW), "S1")));
  }

  /** A session with a transaction ready for its content. */
  private static SessionDriver ready() {
    SessionDriver d = driver(BareLineEndings.NORMALIZE);
    d.send("EHLO client.example", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>");
    return d;
  }

  private static Effect.ReceiveChunk receive(SessionDriver d) {
    return (Effect.ReceiveChunk) d.lastEffect();
  }

  /** The adapter's part once the chunk's octets are in: the summary covers the whole message so far. */
  private static List<SmtpReply> received(SessionDriver d, long total) {
    return d.apply(d.session.chunkReceived(d.state, new DataSummary(total, false, false, false), HeaderSection.EMPTY));
  }

  private static List<SmtpReply> skipped(SessionDriver d) {
    return d.apply(d.session.chunkSkipped(d.state));
  }

  private static String wire(List<SmtpReply> replies) {
    return replies.stream().map(SmtpReply::toWire).reduce("", String::concat);
  }

  @Test
  void firstChunkOpensTheSpoolThenItsOctetsAreReadAfterTheReceivedHeader() {
    SessionDriver d = ready();
    assertThat(d.send("BDAT 5 LAST")).isEmpty();
    assertThat(d.lastEffect()).isInstanceOf(Effect.OpenMessage.class);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.OPENING);

    Transition opened = d.session.spoolOpened(d.state);
    d.apply(opened);

    assertThat(opened.replies()).as("no 354: the octets are already on their way").isEmpty();
    assertThat(opened.effects()).hasSize(2);
    Effect.BeginChunks begin = (Effect.BeginChunks) opened.effects().getFirst();
    assertThat(new String(begin.receivedHeader(), StandardCharsets.US_ASCII))
        .startsWith("Received: from client.example ([192.0.2.10])\r\n\tby relay.example (Relay) with ESMTP id S1;");
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(5, true, true));
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.CHUNK);
  }

  @Test
  void lastChunkEndsTheMessageLikeTheEndOfDataAnd250ComesOnlyAfterTheCommit() {
    SessionDriver d = ready();
    d.send("BDAT 3");
    d.apply(d.session.spoolOpened(d.state));
    assertThat(wire(received(d, 3))).isEqualTo("250 2.0.0 3 octets received\r\n");
    assertThat(d.state.receivingChunks()).isTrue();
    assertThat(d.state.chunking()).isEqualTo(new Chunking.Accepting(3));

    assertThat(d.send("BDAT 4")).isEmpty();
    assertThat(receive(d)).as("the spool is open already").isEqualTo(new Effect.ReceiveChunk(4, true, false));
    assertThat(wire(received(d, 7))).isEqualTo("250 2.0.0 4 octets received\r\n");
    d.send("BDAT 0 LAST");
    assertThat(received(d, 7)).isEmpty();

    Effect.Commit commit = (Effect.Commit) d.lastEffect();
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMITTING);
    Envelope envelope = commit.envelope();
    QueuedMessage queued = new QueuedMessage(new MessageId("Q7"), envelope,
        envelope.recipients().stream().map(RecipientState::pending).toList(), 0, NOW, 7);
    assertThat(wire(d.apply(d.session.committed(d.state, queued)))).isEqualTo("250 2.0.0 Ok queued as Q7\r\n");
    assertThat(d.state.chunking()).isEqualTo(Chunking.NONE);
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void bdatZeroLastAloneIsAWholeEmptyMessage() {
    SessionDriver d = ready();
    d.send("BDAT 0 LAST");
    d.apply(d.session.spoolOpened(d.state));
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(0, true, true));
    assertThat(received(d, 0)).isEmpty();
    assertThat(d.lastEffect()).isInstanceOf(Effect.Commit.class);
  }

  @Test
  void emptyChunkThatEndsNothingCountsAsJunk() {
    SessionDriver d = ready();
    d.send("BDAT 0");
    d.apply(d.session.spoolOpened(d.state));
    int junk = d.state.junk();
    assertThat(wire(received(d, 0))).isEqualTo("250 2.0.0 0 octets received\r\n");
    assertThat(d.state.junk()).isEqualTo(junk + 1);
  }

  @Test
  void bdatWithoutATransactionIsReadThenRefusedWith503AndLaterChunksUntilLastAreDiscardedToo() {
    SessionDriver d = driver(BareLineEndings.NORMALIZE);
    d.send("EHLO client.example");
    assertThat(d.send("BDAT 12")).isEmpty();
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(12, false, false));
    assertThat(d.effects).noneMatch(e -> e instanceof Effect.OpenMessage);

    assertThat(skipped(d)).containsExactly(Replies.BAD_SEQUENCE);
    assertThat(d.state.errors()).isEqualTo(1);
    assertThat(d.state.chunking()).isEqualTo(new Chunking.Discarding(Replies.BAD_SEQUENCE, 12));
    assertThat(d.one("MAIL FROM:<a@corp.example>")).as("RFC 3030: RSET or LAST first").isEqualTo(Replies.BAD_SEQUENCE);

    d.send("BDAT 5");
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(5, false, false));
    assertThat(skipped(d)).containsExactly(Replies.BAD_SEQUENCE);
    d.send("BDAT 5 LAST");
    assertThat(skipped(d)).containsExactly(Replies.BAD_SEQUENCE);
    assertThat(d.state.errors()).as("only the first refusal is a mistake; the rest follow from it").isEqualTo(2);
    assertThat(d.state.chunking()).isEqualTo(Chunking.NONE);
    assertThat(d.one("MAIL FROM:<a@corp.example>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void bdatWhenNoRecipientWasAcceptedEndsTheTransaction() {
    SessionDriver d = driver(BareLineEndings.NORMALIZE);
    d.send("EHLO client.example", "MAIL FROM:<a@corp.example>", "RCPT TO:<x@elsewhere.example>", "BDAT 4 LAST");
    assertThat(skipped(d)).containsExactly(Replies.BAD_SEQUENCE);
    assertThat(d.state.inTransaction()).isFalse();
  }

  @Test
  void dataMailAndRcptAfterAChunkGet503AndTheChunksGoOn() {
    SessionDriver d = ready();
    d.send("BDAT 3");
    d.apply(d.session.spoolOpened(d.state));
    received(d, 3);
    assertThat(d.send("DATA", "MAIL FROM:<a@corp.example>", "RCPT TO:<c@corp.example>", "STARTTLS"))
        .containsOnly(Replies.BAD_SEQUENCE).hasSize(4);
    assertThat(d.state.recipients()).hasSize(1);
    assertThat(d.effects).noneMatch(e -> e instanceof Effect.AbandonMessage);
    d.send("BDAT 2 LAST");
    received(d, 5);
    assertThat(d.lastEffect()).isInstanceOf(Effect.Commit.class);
  }

  @Test
  void rsetOrEhloBetweenChunksDropsWhatTheSpoolHolds() {
    SessionDriver d = ready();
    d.send("BDAT 3");
    d.apply(d.session.spoolOpened(d.state));
    received(d, 3);
    Transition rset = d.session.command(d.state, "RSET");
    assertThat(rset.effects()).containsExactly(new Effect.AbandonMessage());
    assertThat(rset.replies()).containsExactly(Replies.RESET);
    assertThat(rset.next().chunking()).isEqualTo(Chunking.NONE);

    d.apply(rset);
    d.send("MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "BDAT 3");
    d.apply(d.session.spoolOpened(d.state));
    received(d, 3);
    assertThat(d.session.command(d.state, "EHLO again").effects()).containsExactly(new Effect.AbandonMessage());
    assertThat(d.session.command(d.state, "NOOP").effects()).isEmpty();
  }

  @Test
  void chunkThatTakesTheMessagePastTheLimitIsReadDiscardedAndRefusedWith552() {
    SessionDriver d = ready();
    d.send("BDAT 600");
    d.apply(d.session.spoolOpened(d.state));
    received(d, 600);

    Transition over = d.session.command(d.state, "BDAT 500");
    d.apply(over);
    assertThat(over.effects()).hasSize(3).startsWith(new Effect.AbandonMessage()).endsWith(new Effect.ReceiveChunk(500, false, false));
    assertThat(((Effect.Track) over.effects().get(1)).event()).isInstanceOfSatisfying(TrackingEvent.Rejected.class, r -> {
      assertThat(r.stage()).isEqualTo(SmtpStage.DATA);
      assertThat(r.reply()).isEqualTo(Replies.MESSAGE_TOO_BIG);
      assertThat(r.reason()).contains("1100 octets");
    });
    assertThat(wire(skipped(d))).startsWith("552 5.3.4 ");
    assertThat(d.state.inTransaction()).isFalse();

    d.send("BDAT 100 LAST");
    assertThat(receive(d).keep()).isFalse();
    assertThat(wire(skipped(d))).startsWith("552 5.3.4 ");
    assertThat(d.state.errors()).isEqualTo(1);
    d.send("MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>");
    assertThat(d.send("BDAT 1000 LAST")).isEmpty();
    assertThat(d.lastEffect()).as("exactly the limit is fine").isInstanceOf(Effect.OpenMessage.class);
  }

  @Test
  void firstChunkAloneOverTheLimitNeverOpensTheSpool() {
    SessionDriver d = ready();
    d.send("BDAT 1001 LAST");
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(1001, false, true));
    assertThat(wire(skipped(d))).startsWith("552 5.3.4 ");
    assertThat(d.effects).noneMatch(e -> e instanceof Effect.OpenMessage);
  }

  @Test
  void chunkThatWouldBeReadPastOneAndAHalfTimesTheLimitClosesAt552WithoutReadingIt() {
    SessionDriver ready = ready();
    Transition huge = ready.session.command(ready.state, "BDAT 1000000000 LAST");
    assertThat(wire(huge.replies())).startsWith("552 5.3.4 ");
    assertThat(huge.closes()).isTrue();
    assertThat(huge.effects()).noneMatch(e -> e instanceof Effect.ReceiveChunk);

    SessionDriver d = driver(BareLineEndings.NORMALIZE);
    d.send("EHLO c");
    assertThat(d.session.command(d.state, "BDAT 1500").effects()).singleElement().isInstanceOf(Effect.ReceiveChunk.class);
    d.send("BDAT 1400");
    skipped(d);
    Transition past = d.session.command(d.state, "BDAT 101");
    assertThat(past.closes()).as("discarded octets count too").isTrue();
  }

  @Test
  void malformedBdatHangsUpWith521() {
    SessionDriver d = ready();
    Transition t = d.session.command(d.state, "BDAT ten LAST");
    assertThat(wire(t.replies())).isEqualTo("521 5.5.4 Syntax: BDAT chunk-size [LAST], closing connection\r\n");
    assertThat(t.closes()).isTrue();
  }

  @Test
  void fullSpoolRefusesTheFirstChunkWith452AfterReadingIt() {
    SessionDriver d = ready();
    d.send("BDAT 9");
    d.apply(d.session.spoolFailed(d.state, SpoolFailure.FULL));
    assertThat(receive(d)).isEqualTo(new Effect.ReceiveChunk(9, false, false));
    assertThat(wire(skipped(d))).startsWith("452 4.3.1 ");
    d.send("BDAT 1 LAST");
    assertThat(wire(skipped(d))).startsWith("452 4.3.1 ");
    assertThat(d.state.chunking()).isEqualTo(Chunking.NONE);
  }

  @Test
  void bareLineEndingsInChunksAreRefusedOnlyWhenTheConnectorRejectsThem() {
    for (BareLineEndings bare : BareLineEndings.values()) {
      SessionDriver d = driver(bare);
      d.send("EHLO client.example", "MAIL FROM:<a@corp.example>", "RCPT TO:<b@corp.example>", "BDAT 4 LAST");
      d.apply(d.session.spoolOpened(d.state));
      List<SmtpReply> r = d.apply(d.session.chunkReceived(d.state, new DataSummary(4, false, false, true), HeaderSection.EMPTY));
      if (bare == BareLineEndings.REJECT) {
        assertThat(r).containsExactly(Replies.BARE_LINE_ENDING);
        assertThat(d.lastEffect()).isInstanceOf(Effect.AbandonMessage.class);
      } else {
        assertThat(d.lastEffect()).isInstanceOf(Effect.Commit.class);
      }
    }
  }

  @Test
  void shutdownWaitsBetweenChunksLikeDuringData() {
    SessionDriver d = ready();
    d.send("BDAT 3");
    d.apply(d.session.spoolOpened(d.state));
    received(d, 3);
    assertThat(d.apply(d.session.shutdown(d.state))).isEmpty();
    d.send("RSET");
    assertThat(wire(d.apply(d.session.shutdown(d.state)))).startsWith("421 4.3.2");
  }

  @Test
  void chunkAnswersMustMatchWhatTheEffectSaid() {
    SessionDriver d = ready();
    d.send("BDAT 1");
    assertThatThrownBy(() -> d.session.chunkSkipped(d.state)).isInstanceOf(IllegalStateException.class);
    d.apply(d.session.spoolOpened(d.state));
    assertThatThrownBy(() -> d.session.chunkSkipped(d.state)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> d.session.command(d.state, "NOOP")).isInstanceOf(IllegalStateException.class);
  }
}
