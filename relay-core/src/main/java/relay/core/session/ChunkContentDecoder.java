package relay.core.session;

/**
 * The BDAT sibling of {@link MessageContentDecoder}: looks at the content of a message sent in
 * chunks (RFC 3030) on its way to the spool and notes what the connector's limits would refuse.
 * Chunk content is taken exactly as sent: no transparency dot, no end-of-data line (the chunk
 * sizes frame the message) and no line-ending repair, so the bytes themselves pass through
 * untouched and this class only watches them.
 *
 * <p>What it notes, so that a message is judged the same whichever way it came: a text line longer
 * than {@code maxTextLine} octets (CRLF included), and a bare CR or bare LF. The latter refuses the
 * message only under {@link relay.core.policy.BareLineEndings#REJECT}; under {@code NORMALIZE} the
 * content is stored as sent, since rewriting line endings would break what the client framed
 * (delivery onwards uses DATA, whose client turns bare line endings into CRLF and dot-stuffs after
 * them, so nothing stored here can end a message early further on). The size limit is not this
 * class's business: the session checks each announced chunk size before any octet is read.
 *
 * <p>Invariant: line state carries across chunk boundaries, so a CR that ends one chunk and an LF
 * that starts the next are one CRLF, not two bare line ends.
 *
 * <p>Not thread-safe: one instance per chunked message, fed from one thread.
 */
public final class ChunkContentDecoder {

  private final int maxTextLine;
  private long size;
  private int lineLength;
  private boolean afterCr;
  private boolean lineTooLong;
  private boolean bareLineEnding;

  public ChunkContentDecoder(int maxTextLine) {
    this.maxTextLine = maxTextLine;
  }

  /** Looks at the next content octets, from any chunk, in order. */
  public void feed(byte[] src, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = src[i];
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          lineLength = 0;
          continue;
        }
        // The CR before this octet ended a line on its own.
        bareLineEnding = true;
        lineLength = 0;
      }
      if (b == '\r') {
        afterCr = true;
      } else if (b == '\n') {
        bareLineEnding = true;
        lineLength = 0;
      } else if (++lineLength + 2 > maxTextLine) {
        lineTooLong = true;
      }
    }
    size += length;
  }

  /**
   * What was seen so far; final once the LAST chunk was fed, when a CR still waiting for its LF at
   * the very end counts as bare. Never too big: chunk sizes are checked before they are read.
   */
  public DataSummary summary() {
    return new DataSummary(size, false, lineTooLong, bareLineEnding || afterCr);
  }
}
