package relay.core.session;

import relay.core.reply.SmtpReply;

/**
 * The BDAT chunk the session is waiting for while its octets are read (phases OPENING and CHUNK).
 * Immutable.
 *
 * @param size octets that follow the command line, exactly
 * @param last whether the command said LAST: the chunk ends the message
 * @param refusal the reply to give once the octets are read and discarded, or null when the
 *     octets go to the spool
 */
public record Chunk(long size, boolean last, SmtpReply refusal) {

  public Chunk {
    if (size < 0) {
      throw new IllegalArgumentException("negative chunk size");
    }
  }

  static Chunk kept(Command.Bdat bdat) {
    return new Chunk(bdat.size(), bdat.last(), null);
  }

  static Chunk refused(Command.Bdat bdat, SmtpReply refusal) {
    return new Chunk(bdat.size(), bdat.last(), refusal);
  }

  /** The same octets, now to be discarded with {@code reply}. */
  Chunk refused(SmtpReply reply) {
    return new Chunk(size, last, reply);
  }

  boolean kept() {
    return refusal == null;
  }

  /** What the adapter is to do: read exactly {@link #size} octets, keeping them or not. */
  Effect.ReceiveChunk effect() {
    return new Effect.ReceiveChunk(size, kept(), last);
  }
}
