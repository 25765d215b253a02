package relay.core.session;

import java.util.List;
import relay.core.metrics.SmtpStage;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;

/**
 * BDAT (RFC 3030 CHUNKING): what becomes of each chunk's octets, decided at the command, and the
 * reply once they are read. A chunk is kept (handed to the spool transaction the first chunk
 * opens) or refused (read and discarded, then refused): without a transaction with recipients,
 * after an earlier refusal ({@link Chunking.Discarding}), or when the message would exceed the size
 * limit. The octets are always read, except past 1.5 times the size limit ({@link #bdat}). The
 * last kept chunk ends the message as DATA does ({@link MessageEnd}); that is the caller's.
 *
 * <p>Called by {@link SmtpSession}: {@link #bdat} in phase COMMANDS, {@link #received} and
 * {@link #skipped} in phase CHUNK. Immutable and thread-safe.
 */
final class Chunks {

  private final SessionContext context;
  private final Rejections rejections;
  private final Answers answers;

  Chunks(SessionContext context, Rejections rejections, Answers answers) {
    this.context = context;
    this.rejections = rejections;
    this.answers = answers;
  }

  /**
   * BDAT: decide now what becomes of the chunk's octets; the reply comes once they are read. The
   * first chunk opens the spool transaction as DATA does. Reading stops at 1.5 times the limit per
   * transaction (Postfix's rule): a chunk beyond that gets {@code 552} and the connection is closed
   * without reading it, so no announced size, however large, keeps the server reading.
   */
  Transition bdat(SessionState s, Command.Bdat b) {
    long limit = context.admitted().limits().maxMessageSize();
    long readable = limit > Long.MAX_VALUE / 3 * 2 ? Long.MAX_VALUE : limit + limit / 2;
    long received = s.chunking().received();
    if (b.size() > readable - received) {
      return Answers.closeAfter(tooBig(s, received + b.size(), limit), s, Replies.MESSAGE_TOO_BIG);
    }
    return switch (s.chunking()) {
      case Chunking.Discarding d -> read(s, Chunk.refused(b, d.refusal()));
      case Chunking.None n -> {
        if (!s.inTransaction() || s.recipients().isEmpty()) {
          yield read(s, Chunk.refused(b, Replies.BAD_SEQUENCE));
        }
        if (b.size() > limit) {
          yield readTooBig(s, b, b.size(), limit);
        }
        yield new Transition(List.of(), List.of(new Effect.OpenMessage()), s.openingForChunk(Chunk.kept(b)));
      }
      case Chunking.Accepting a -> b.size() > limit - received
          ? Answers.abandoning(readTooBig(s, b, received + b.size(), limit))
          : read(s, Chunk.kept(b));
    };
  }

  /** A kept chunk that is not the last was read: {@code 250}, and the transaction goes on. */
  Transition received(SessionState s) {
    Chunk chunk = s.chunk();
    SessionState next = s.withChunking(new Chunking.Accepting(s.chunking().received() + chunk.size()));
    SmtpReply ok = Replies.chunkReceived(chunk.size());
    // An empty chunk that ends nothing moves no mail: it counts like a NOOP.
    return chunk.size() == 0 ? answers.junk(next, ok) : Answers.reply(next, ok);
  }

  /**
   * A refused chunk was read and dropped: now the refusal. The transaction is over; unless this was
   * the LAST chunk, later chunks are discarded too. Only the first refusal counts as a failed
   * command: the rest follow from it.
   */
  Transition skipped(SessionState s) {
    Chunk chunk = s.chunk();
    boolean first = !(s.chunking() instanceof Chunking.Discarding);
    SessionState next = chunk.last()
        ? s.reset()
        : s.reset().withChunking(new Chunking.Discarding(chunk.refusal(), s.chunking().received() + chunk.size()));
    return first ? answers.fail(next, chunk.refusal()) : Answers.reply(next, chunk.refusal());
  }

  /**
   * When {@code t} ends a transaction part-way through its chunks (RSET, HELO, EHLO), the chunks
   * already handed to the spool are dropped first.
   */
  static Transition dropChunks(SessionState before, Transition t) {
    return before.receivingChunks() && !t.next().receivingChunks() ? Answers.abandoning(t) : t;
  }

  /** Read and discard {@code b}, then refuse it: the message, at least {@code size} octets, is too big. */
  private Transition readTooBig(SessionState s, Command.Bdat b, long size, long limit) {
    return Answers.after(List.of(tooBig(s, size, limit)), read(s, Chunk.refused(b, Replies.MESSAGE_TOO_BIG)));
  }

  /** The tracking event for a chunked message refused for its size. */
  private Effect.Track tooBig(SessionState s, long size, long limit) {
    return rejections.event(s, SmtpStage.DATA, null, Replies.MESSAGE_TOO_BIG, "message of at least " + size
        + " octets (BDAT) is over connector " + context.admitted().name() + "'s limit of " + limit);
  }

  private static Transition read(SessionState s, Chunk chunk) {
    return new Transition(List.of(), List.of(chunk.effect()), s.readingChunk(chunk));
  }
}
