package relay.server.inbound;

/**
 * The working buffers for one socket read of message content: the bytes copied out of Netty's
 * buffer, and their decoded form (dot-unstuffed). Everything that keeps content copies it out
 * before the read ends, so one pair serves every connection of an event loop: smtp-source style
 * clients open a connection per message, and 16 KiB per connection was a fifth of the relay's
 * allocation under load.
 *
 * <p>Bounded by the largest read (Netty's receive buffer). Threading: confined to one event-loop
 * thread; each read uses it from start to end without yielding to another connection.
 */
final class ReadScratch {

  private static final int INITIAL = 8 << 10;

  private byte[] bytes = new byte[INITIAL];
  private ChunkBuffer decoded = new ChunkBuffer(INITIAL + 64);

  /** Raw bytes, at least {@code n} long; valid until the next call. */
  byte[] raw(int n) {
    if (bytes.length < n) {
      bytes = new byte[n];
      decoded = new ChunkBuffer(n + 64);
    }
    return bytes;
  }

  /** The decoded bytes' buffer, emptied. */
  ChunkBuffer decoded() {
    decoded.reset();
    return decoded;
  }
}
