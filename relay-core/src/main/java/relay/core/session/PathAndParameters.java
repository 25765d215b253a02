package relay.core.session;

import java.util.Arrays;
import java.util.List;

/**
 * The argument of MAIL FROM: / RCPT TO: split into the path inside the angle brackets (source route
 * removed) and the space-separated ESMTP parameters after it.
 *
 * @param path the address without brackets; empty for {@code <>}
 * @param parameters the {@code KEY[=VALUE]} words after the path
 * @param ascii whether the whole argument is ASCII
 */
record PathAndParameters(String path, List<String> parameters, boolean ascii) {

  PathAndParameters {
    parameters = List.copyOf(parameters);
  }

  /** Returns null when the argument has no well-formed {@code <path>}. */
  static PathAndParameters split(String arg) {
    // RFC 5321 allows no space after the colon; many devices send one anyway, so tolerate it.
    String s = arg.stripLeading();
    if (s.isEmpty() || s.charAt(0) != '<') {
      return null;
    }
    int close = -1;
    boolean quoted = false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '>' && !quoted) {
        close = i;
        break;
      } else if (c == '<' && !quoted) {
        return null;
      }
    }
    if (close < 0) {
      return null;
    }
    String path = s.substring(1, close);
    if (path.startsWith("@")) {
      int colon = path.indexOf(':');
      if (colon < 0) {
        return null;
      }
      path = path.substring(colon + 1);
    }
    String rest = s.substring(close + 1);
    if (!rest.isEmpty() && rest.charAt(0) != ' ') {
      return null;
    }
    List<String> params = Arrays.stream(rest.split(" ")).filter(w -> !w.isEmpty()).toList();
    boolean ascii = s.chars().allMatch(c -> c < 128);
    return new PathAndParameters(path, params, ascii);
  }
}
