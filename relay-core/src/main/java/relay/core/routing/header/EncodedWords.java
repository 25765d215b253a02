package relay.core.routing.header;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes RFC 2047 encoded-words ({@code =?charset?B|Q?text?=}) in unstructured header text such as
 * Subject, so that rule conditions see what a reader sees.
 *
 * <p>White space between two adjacent encoded-words is dropped (RFC 2047 section 6.2), and the bytes
 * of adjacent words in the same charset are joined before decoding, because senders split multi-byte
 * characters across words. A word with an unknown charset or bad encoding is left as written.
 * Stateless; thread-safe.
 */
final class EncodedWords {

  private static final Pattern WORD =
      Pattern.compile("=\\?([^?*\\s]+)(?:\\*[^?\\s]*)?\\?([BbQq])\\?([^?\\s]*)\\?=");

  private EncodedWords() {}

  static String decode(String text) {
    Matcher m = WORD.matcher(text);
    StringBuilder out = new StringBuilder();
    int last = 0;
    Charset pendingCharset = null;
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    while (m.find()) {
      String between = text.substring(last, m.start());
      byte[] bytes = bytes(m.group(2), m.group(3));
      Charset charset = charset(m.group(1));
      if (bytes == null || charset == null) {
        flush(out, pending, pendingCharset);
        pendingCharset = null;
        out.append(between).append(m.group());
        last = m.end();
        continue;
      }
      boolean adjacent = last > 0 && between.isBlank() && pendingCharset != null;
      if (!adjacent || !charset.equals(pendingCharset)) {
        flush(out, pending, pendingCharset);
        if (!adjacent) {
          out.append(between);
        }
      }
      pendingCharset = charset;
      pending.writeBytes(bytes);
      last = m.end();
    }
    flush(out, pending, pendingCharset);
    out.append(text.substring(last));
    return out.toString();
  }

  private static void flush(StringBuilder out, ByteArrayOutputStream pending, Charset charset) {
    if (charset != null && pending.size() > 0) {
      out.append(new String(pending.toByteArray(), charset));
    }
    pending.reset();
  }

  private static Charset charset(String name) {
    try {
      return Charset.forName(name);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return null;
    }
  }

  private static byte[] bytes(String encoding, String text) {
    if (encoding.equalsIgnoreCase("B")) {
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '_') {
        out.write(' ');
      } else if (c == '=') {
        if (i + 2 >= text.length()) {
          return null;
        }
        int hi = Character.digit(text.charAt(i + 1), 16);
        int lo = Character.digit(text.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
