package relay.server.inbound;

/**
 * Counts off the octets of one BDAT chunk as they arrive (RFC 3030: exactly {@code size} octets
 * follow the command line, however the network cuts them), so that not one octet of content is
 * ever read as a command and not one octet of the next command is taken as content. The count is
 * a long: a chunk the session agreed to read may be larger than any buffer, and it is taken in
 * pieces no larger than the caller allows, so it never needs the memory its size announces.
 *
 * <p>Not thread-safe: used on the connection's event loop only.
 *
 * @see relay.core.session.Effect.ReceiveChunk
 */
final class ChunkOctets {

  private final long size;
  private final boolean keep;
  private final boolean last;
  private long left;

  ChunkOctets(long size, boolean keep, boolean last) {
    if (size < 0) {
      throw new IllegalArgumentException("negative chunk size");
    }
    this.size = size;
    this.keep = keep;
    this.last = last;
    this.left = size;
  }

  /**
   * Takes the next piece of the chunk from {@code available} buffered octets.
   *
   * @param atMost the largest piece the caller can handle at once
   * @return how many of the available octets belong to the chunk (at most {@code atMost})
   */
  int take(int available, int atMost) {
    int n = (int) Math.min(left, Math.min(available, atMost));
    left -= n;
    return n;
  }

  /** True once every octet of the chunk was taken (at once for an empty chunk). */
  boolean complete() {
    return left == 0;
  }

  long size() {
    return size;
  }

  /** Whether the octets go to the spool (else they are dropped). */
  boolean keep() {
    return keep;
  }

  boolean last() {
    return last;
  }
}
