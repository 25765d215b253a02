package relay.core.dsn;

/**
 * Writes one header field ({@code Name: value}), folded at white space so that lines stay within
 * 78 characters where the value allows it (RFC 5322 section 2.2.3). A run without white space is
 * never split, which is why values are cut to {@link FieldText#MAX_VALUE} before they get here.
 * Stateless.
 */
final class HeaderField {

  private static final int FOLD_AT = 78;

  private HeaderField() {}

  /** The field without its final CRLF; continuation lines begin with the white space folded at. */
  static String fold(String name, String value) {
    String line = name + ": " + value;
    if (line.length() <= FOLD_AT) {
      return line;
    }
    StringBuilder out = new StringBuilder(line.length() + 16);
    int lineStart = 0;
    int lastBreak = -1;
    for (int i = name.length() + 2; i < line.length(); i++) {
      if (line.charAt(i) == ' ' && i > lineStart) {
        if (i - lineStart > FOLD_AT && lastBreak > lineStart) {
          out.append(line, lineStart, lastBreak).append("\r\n");
          lineStart = lastBreak;
        }
        lastBreak = i;
      }
    }
    if (line.length() - lineStart > FOLD_AT && lastBreak > lineStart) {
      out.append(line, lineStart, lastBreak).append("\r\n");
      lineStart = lastBreak;
    }
    return out.append(line, lineStart, line.length()).toString();
  }
}
