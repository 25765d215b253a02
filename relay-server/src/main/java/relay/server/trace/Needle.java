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

  private Needle(byte[] pattern, boolean foldCase) {
    this.pattern = pattern;
    this.foldCase = foldCase;
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
    int last = to - pattern.length;
    byte first = pattern[0];
    boolean letter = foldCase && first >= 'a' && first <= 'z';
    for (int i = from; i <= last; i++) {
      i = letter ? Bytes.indexOfLetter(line, first, i, last + 1) : Bytes.indexOf(line, first, i, last + 1);
      if (i < 0) {
        return false;
      }
      if (foldCase ? restFolded(line, i) : rest(line, i)) {
        return true;
      }
    }
    return false;
  }

  private boolean rest(byte[] line, int at) {
    for (int j = 1; j < pattern.length; j++) {
      if (line[at + j] != pattern[j]) {
        return false;
      }
    }
    return true;
  }

  private boolean restFolded(byte[] line, int at) {
    for (int j = 1; j < pattern.length; j++) {
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
