package relay.server.trace;

import java.nio.charset.StandardCharsets;

/**
 * A cheap test whether a raw tracking line (UTF-8 bytes) can contain a search term, run on every
 * line before any JSON is parsed: most lines of a large log are ruled out by it alone.
 *
 * <p>Exact (case-sensitive) or folding ASCII letters only; bytes of multi-byte UTF-8 characters are
 * never folded, so the test agrees with {@link Ascii#containsIgnoreCase} on the decoded text. A term
 * is only usable when it appears in the line as it is, i.e. when JSON escaping leaves it alone: no
 * quote, backslash, control character or lone surrogate ({@link #usable}).
 *
 * <p>Immutable and thread-safe.
 */
final class Needle {

  private final byte[] pattern;
  private final boolean foldCase;
  // The byte searched for first: the one least common in tracking lines, so that few places need a
  // full comparison (a queue id's first byte, a digit, would stop the search in every timestamp).
  private final int anchor;

  private Needle(byte[] pattern, boolean foldCase) {
    this.pattern = pattern;
    this.foldCase = foldCase;
    int best = 0;
    for (int i = 1; i < pattern.length; i++) {
      if (commonness(pattern[i]) < commonness(pattern[best])) {
        best = i;
      }
    }
    this.anchor = best;
  }

  /**
   * How common a byte is in tracking lines, roughly: JSON punctuation, digits (times, ids, codes)
   * and frequent lower-case letters most; upper-case letters (in a folded term they stand for
   * either case) and bytes of non-ASCII characters least.
   */
  private static int commonness(byte b) {
    if (b < 0) {
      return 1;
    }
    if (b >= 'A' && b <= 'Z') {
      return 2;
    }
    if (b >= 'a' && b <= 'z') {
      return "etaoinsrlcdmu".indexOf(b) >= 0 ? 8 : 5;
    }
    if ((b >= '0' && b <= '9') || b == '"' || b == ':' || b == ',') {
      return 10;
    }
    return 4;
  }

  /** {@code term} as written. */
  static Needle exact(String term) {
    if (term.isEmpty()) {
      throw new IllegalArgumentException("an empty term");
    }
    return new Needle(term.getBytes(StandardCharsets.UTF_8), false);
  }

  /** {@code term} with ASCII letters in either case. */
  static Needle foldingCase(String term) {
    if (term.isEmpty()) {
      throw new IllegalArgumentException("an empty term");
    }
    byte[] bytes = term.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = fold(bytes[i]);
    }
    return new Needle(bytes, true);
  }

  /** Whether {@code term} reads the same in a JSON string as in the text, so that a needle finds it. */
  static boolean usable(String term) {
    if (term == null || term.isEmpty()) {
      return false;
    }
    for (int i = 0; i < term.length(); i++) {
      char c = term.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Whether bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code line} contain the term. */
  boolean in(byte[] line, int from, int to) {
    int last = to - pattern.length; // the last place the term can start
    byte key = pattern[anchor];
    boolean letter = foldCase && key >= 'a' && key <= 'z';
    for (int i = from + anchor; i <= last + anchor; i++) {
      i = letter ? Bytes.indexOfLetter(line, key, i, last + anchor + 1) : Bytes.indexOf(line, key, i, last + anchor + 1);
      if (i < 0) {
        return false;
      }
      if (foldCase ? matchesFolded(line, i - anchor) : matches(line, i - anchor)) {
        return true;
      }
    }
    return false;
  }

  private boolean matches(byte[] line, int at) {
    for (int j = 0; j < pattern.length; j++) {
      if (line[at + j] != pattern[j]) {
        return false;
      }
    }
    return true;
  }

  private boolean matchesFolded(byte[] line, int at) {
    for (int j = 0; j < pattern.length; j++) {
      if (fold(line[at + j]) != pattern[j]) {
        return false;
      }
    }
    return true;
  }

  private static byte fold(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }
}
