package relay.server.trace;

/**
 * Case-insensitive comparison that folds ASCII letters only, the same rule as {@link Needle}'s byte
 * test, so that the pre-filter never rules out a line the full match would accept. Stateless.
 */
final class Ascii {

  private Ascii() {}

  static boolean containsIgnoreCase(String text, String term) {
    int n = term.length();
    for (int i = 0; i + n <= text.length(); i++) {
      if (regionEquals(text, i, term)) {
        return true;
      }
    }
    return false;
  }

  static boolean equalsIgnoreCase(String a, String b) {
    return a.length() == b.length() && regionEquals(a, 0, b);
  }

  private static boolean regionEquals(String text, int at, String term) {
    for (int j = 0; j < term.length(); j++) {
      if (fold(text.charAt(at + j)) != fold(term.charAt(j))) {
        return false;
      }
    }
    return true;
  }

  private static char fold(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }
}
