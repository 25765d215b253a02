package relay.core.session;

/**
 * RFC 3461 section 4 {@code xtext}: printable ASCII except {@code +} and {@code =}, which appear
 * only as {@code +HH} hexadecimal escapes. Used for ENVID and ORCPT. Stateless.
 */
final class Xtext {

  private Xtext() {}

  static boolean isXtext(String s) {
    if (s.isEmpty() || s.length() > 500) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (c < 0x21 || c > 0x7e || c == '=') {
        return false;
      }
    }
    return true;
  }

  /** ORCPT value: {@code addr-type ";" xtext}, addr-type an atom such as {@code rfc822}. */
  static boolean isOriginalRecipient(String s) {
    int semi = s.indexOf(';');
    return semi > 0 && s.substring(0, semi).matches("[A-Za-z0-9-]+") && isXtext(s.substring(semi + 1));
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }
}
