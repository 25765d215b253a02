package relay.core.session;

import relay.core.envelope.Domain;
import relay.core.envelope.MailPath;

/**
 * RFC 5321 mailbox syntax ({@code Local-part "@" ( Domain / address-literal )}), extended by RFC
 * 6531 to UTF-8 characters (only reached when the transaction declared SMTPUTF8). Stateless.
 */
final class Addresses {

  private static final String ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\x{10FFFF}";
  private static final String DOT_STRING = "[" + ATEXT + "]+(\\.[" + ATEXT + "]+)*";
  private static final String QUOTED = "\"([\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e\\u0080-\\x{10FFFF}]|\\\\[\\x20-\\x7e])*\"";
  private static final String LABEL = "[A-Za-z0-9\\u0080-\\x{10FFFF}]([A-Za-z0-9\\u0080-\\x{10FFFF}-]*[A-Za-z0-9\\u0080-\\x{10FFFF}])?";
  private static final String DOMAIN = LABEL + "(\\." + LABEL + ")*";
  private static final String LITERAL = "\\[[\\x21-\\x5a\\x5e-\\x7e]+\\]";
  private static final java.util.regex.Pattern MAILBOX =
      java.util.regex.Pattern.compile("(" + DOT_STRING + "|" + QUOTED + ")@(" + DOMAIN + "|" + LITERAL + ")");

  private Addresses() {}

  /** The mailbox, or null when the text is not a valid {@code local@domain}. */
  static MailPath mailbox(String text) {
    if (text.length() > 254 || !MAILBOX.matcher(text).matches()) {
      return null;
    }
    int at = text.lastIndexOf('@');
    String local = text.substring(0, at);
    if (local.length() > 64 && local.chars().allMatch(c -> c < 128)) {
      return null;
    }
    return new MailPath(local, new Domain(text.substring(at + 1)));
  }
}
