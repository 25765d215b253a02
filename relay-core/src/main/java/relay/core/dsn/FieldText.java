package relay.core.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns values from outside (addresses, ORCPT and ENVID xtext, upstream replies) into text that is
 * safe in a 7-bit header field: printable ASCII, no line breaks, never longer than a line allows.
 * Stateless.
 */
final class FieldText {

  /** Room for a value after its field name, well inside the 998-octet line limit (RFC 5322 2.1.1). */
  static final int MAX_VALUE = 900;

  private FieldText() {}

  static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 0x80);
  }

  /**
   * A value for a free-text field: control and non-ASCII characters become {@code ?}, so that
   * nothing from upstream can start a field of its own or break the 7-bit promise; cut to
   * {@link #MAX_VALUE}.
   */
  static String printable(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_VALUE));
    for (int i = 0; i < s.length() && out.length() < MAX_VALUE; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  /**
   * An address typed for a delivery-status field: {@code rfc822; addr} when it is ASCII, else
   * {@code utf-8; } with the RFC 6533 section 3 utf-8-addr-xtext form ({@code \x{HEX}} for
   * non-ASCII and for {@code \ + =} and controls), which keeps message/delivery-status 7-bit.
   */
  static String typedAddress(String address) {
    if (isAscii(address) && address.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return "rfc822; " + address;
    }
    StringBuilder out = new StringBuilder("utf-8; ");
    address.codePoints().forEach(cp -> {
      if (cp > 0x20 && cp < 0x7f && cp != '\\' && cp != '+' && cp != '=') {
        out.appendCodePoint(cp);
      } else {
        out.append("\\x{").append(Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT)).append('}');
      }
    });
    return out.toString();
  }

  /**
   * The RFC 3461 section 4 xtext decoded ({@code +HH} escapes): RFC 3461 section 6.3 puts ENVID
   * and ORCPT into the report decoded. When the decoded text would not be printable ASCII the value
   * is kept as received, which is still printable ASCII (the parser checked it).
   */
  static String decodeXtext(String xtext) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(xtext.length());
    for (int i = 0; i < xtext.length(); i++) {
      char c = xtext.charAt(i);
      if (c == '+' && i + 2 < xtext.length() && isHex(xtext.charAt(i + 1)) && isHex(xtext.charAt(i + 2))) {
        bytes.write(Integer.parseInt(xtext.substring(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        return printable(xtext);
      }
    }
    byte[] decoded = bytes.toByteArray();
    for (byte b : decoded) {
      if (b < 0x20 || b == 0x7f) {
        return printable(xtext);
      }
    }
    return printable(new String(decoded, StandardCharsets.US_ASCII));
  }

  /** An ORCPT value ({@code addr-type;xtext}) as an Original-Recipient value. */
  static String originalRecipient(String orcpt) {
    int semi = orcpt.indexOf(';');
    if (semi <= 0) {
      return "rfc822; " + decodeXtext(orcpt);
    }
    return printable(orcpt.substring(0, semi).strip()) + "; " + decodeXtext(orcpt.substring(semi + 1).strip());
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  }
}
