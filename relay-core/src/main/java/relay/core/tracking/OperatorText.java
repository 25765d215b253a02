package relay.core.tracking;

/**
 * Makes text that a client chose (a Subject, a Message-ID) fit a tracking line: control characters
 * removed (a tab becomes a space), at most a given number of characters, never half a surrogate pair. A subject is for
 * recognising a message, not for reading it in full, and a client must not be able to make one
 * line take megabytes. Stateless.
 */
final class OperatorText {

  private OperatorText() {}

  /** {@code text} without control characters, cut to {@code max} characters; null stays null. */
  static String clean(String text, int max) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max));
    for (int i = 0; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i) == '\t' ? ' ' : text.charAt(i);
      if (Character.isISOControl(c)) {
        continue;
      }
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        if (out.length() + 2 > max) {
          break; // a pair goes in whole or not at all
        }
        out.append(c).append(text.charAt(++i));
      } else if (!Character.isSurrogate(c)) {
        out.append(c); // a lone surrogate is dropped: it is no character
      }
    }
    return out.toString().strip();
  }
}
