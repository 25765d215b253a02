package relay.server.trace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds a byte in a byte array eight at a time ("SWAR": one 64-bit word per step, the classic
 * has-zero-byte test), several times faster than a byte loop: finding line breaks and the first
 * byte of a search term in every line is most of a search's work once decompressed (measured in
 * docs/benchmark.md, "Message trace"). Stateless.
 */
final class Bytes {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long CASE_BITS = 0x2020202020202020L;

  private Bytes() {}

  /** The index of the first {@code b} in {@code a} from {@code from} (inclusive) to {@code to} (exclusive), or -1. */
  static int indexOf(byte[] a, byte b, int from, int to) {
    long pattern = ONES * (b & 0xff);
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(a, i) ^ pattern;
      // The lowest flagged byte is always a true match: false flags only sit above a true one.
      long found = (x - ONES) & ~x & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * As {@link #indexOf}, for the lower-case ASCII letter {@code letter} in either case: setting bit
   * 5 of every byte makes {@code A-Z} lower-case, and only {@code letter}'s two cases become {@code
   * letter}.
   */
  static int indexOfLetter(byte[] a, byte letter, int from, int to) {
    long pattern = ONES * (letter & 0xff);
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = ((long) LONGS.get(a, i) | CASE_BITS) ^ pattern;
      long found = (x - ONES) & ~x & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if ((a[i] | 0x20) == letter) {
        return i;
      }
    }
    return -1;
  }
}
