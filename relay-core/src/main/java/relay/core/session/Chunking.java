package relay.core.session;

import java.util.Objects;
import relay.core.reply.SmtpReply;

/**
 * How far the current transaction has got with BDAT (RFC 3030 CHUNKING). A transaction sends its
 * content with DATA or with BDAT chunks, never both. A closed set; immutable.
 *
 * <p>Why a refused chunk leads to {@link Discarding} rather than straight back to "no
 * transaction": a pipelining client may already have sent the rest of its chunks. Those must still
 * be read (their octets are no commands) and answered, but they are no new mistakes: counting each
 * as a failed command would close the session of a client that did nothing wrong after the first
 * refusal (Postfix keeps the same state).
 */
public sealed interface Chunking {

  /** No BDAT yet (or no transaction at all). */
  Chunking NONE = new None();

  /** Octets of chunk content read in this transaction so far, kept or discarded. */
  long received();

  /** The transaction has seen no BDAT: DATA is still possible. */
  record None() implements Chunking {
    @Override
    public long received() {
      return 0;
    }
  }

  /** Every chunk so far went to the open spool transaction; more may follow until LAST. */
  record Accepting(long received) implements Chunking {
    public Accepting {
      if (received < 0) {
        throw new IllegalArgumentException("negative size");
      }
    }
  }

  /**
   * A chunk was refused with {@code refusal} and the transaction is over: every later chunk is read,
   * discarded and answered with the same refusal until BDAT LAST or RSET; MAIL, RCPT and DATA get
   * {@code 503} until then (RFC 3030: the state after a failed chunk is cleared by RSET).
   */
  record Discarding(SmtpReply refusal, long received) implements Chunking {
    public Discarding {
      Objects.requireNonNull(refusal, "refusal");
      if (received < 0) {
        throw new IllegalArgumentException("negative size");
      }
    }
  }
}
