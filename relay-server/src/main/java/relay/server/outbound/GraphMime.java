package relay.server.outbound;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.Recipient;

/**
 * The MIME message Graph is given for one envelope: Graph addresses mail by the message's
 * {@code To}, {@code Cc} and {@code Bcc} headers, not by an envelope, so the headers must name
 * exactly the envelope's pending recipients. Pending recipients no header names (the usual Bcc
 * case) are added in one {@code Bcc:} header at the top of the header section; the rest of the
 * bytes stay as received. A header naming an address that is not a pending recipient is refused:
 * Graph would send to it too, and rewriting a client's headers is riskier than holding the mail
 * with the reason (see {@link #strangers}).
 *
 * <p>Notifications (null envelope sender) are sent as a mailbox of the tenant, and Graph refuses a
 * {@code From:} that mailbox may not send as ({@code ErrorSendAsDenied}); Relay's own reports say
 * {@code From: MAILER-DAEMON@<hostname>}. So for them ({@code fromMailbox} set) the {@code From:}
 * field is replaced by the mailbox, keeping its display name ("Mail Delivery System"), as Exchange
 * does for its own reports. Nothing else is ever rewritten.
 *
 * <p>Immutable; a pure function of the bytes and the recipients.
 */
final class GraphMime {

  private static final List<String> ADDRESS_HEADERS = List.of("To", "Cc", "Bcc");

  private final byte[] original;
  private final List<Recipient> hidden;
  private final List<String> strangers;
  private final List<String> named;
  private final String fromField;

  /** A message sent as its own {@code From:}: see {@link #GraphMime(byte[], List, String)}. */
  GraphMime(byte[] message, List<Recipient> pending) throws MessagingException {
    this(message, pending, null);
  }

  /**
   * @param message the spooled message, as received
   * @param pending the recipients this request is for
   * @param fromMailbox the mailbox whose address replaces the {@code From:} address (a
   *     notification's), or null to leave {@code From:} as it is
   * @throws MessagingException when the header section cannot be read
   */
  GraphMime(byte[] message, List<Recipient> pending, String fromMailbox) throws MessagingException {
    this.original = message;
    InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(message));
    this.fromField = fromMailbox == null ? null : fromField(headers, fromMailbox);
    Set<String> inHeaders = new LinkedHashSet<>();
    for (String name : ADDRESS_HEADERS) {
      String[] values = headers.getHeader(name);
      if (values == null) {
        continue;
      }
      for (String value : values) {
        try {
          for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
            // A group ("undisclosed-recipients:;") names its members, usually none: not an address itself.
            InternetAddress[] members = a.isGroup() ? a.getGroup(false) : new InternetAddress[] {a};
            for (InternetAddress m : members == null ? new InternetAddress[0] : members) {
              if (m.getAddress() != null && !m.getAddress().isBlank()) {
                inHeaders.add(m.getAddress().toLowerCase(Locale.ROOT));
              }
            }
          }
        } catch (AddressException e) {
          throw new MessagingException("the " + name + " header cannot be read: " + e.getMessage(), e);
        }
      }
    }
    Set<String> envelope = new LinkedHashSet<>();
    List<Recipient> notNamed = new ArrayList<>();
    for (Recipient r : pending) {
      String address = r.address().address().toLowerCase(Locale.ROOT);
      envelope.add(address);
      if (!inHeaders.contains(address)) {
        notNamed.add(r);
      }
    }
    this.hidden = List.copyOf(notNamed);
    this.strangers = inHeaders.stream().filter(a -> !envelope.contains(a)).toList();
    this.named = inHeaders.stream().filter(envelope::contains).toList();
  }

  /** Pending recipients that a To/Cc/Bcc header names: Graph sends to them in every request made from these bytes. */
  List<String> named() {
    return named;
  }

  /** Addresses the To/Cc/Bcc headers name that are not pending recipients: Graph would send to them too. */
  List<String> strangers() {
    return strangers;
  }

  /** Pending recipients no To/Cc/Bcc header names: they go in the added Bcc header. */
  List<Recipient> hidden() {
    return hidden;
  }

  /** The bytes to send: a {@code Bcc:} header for the hidden recipients, if any, then the message as received. */
  byte[] bytes() {
    if (hidden.isEmpty() && fromField == null) {
      return original;
    }
    StringBuilder added = new StringBuilder();
    if (!hidden.isEmpty()) {
      added.append("Bcc: ");
      for (int i = 0; i < hidden.size(); i++) {
        // one address per line keeps every line far below 998 octets, however many there are
        added.append(i == 0 ? "" : ",\r\n ").append(hidden.get(i).address().address());
      }
      added.append("\r\n");
    }
    byte[] rest = original;
    if (fromField != null) {
      added.append(fromField).append("\r\n");
      rest = withoutField(original, "From");
    }
    byte[] header = added.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[header.length + rest.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(rest, 0, out, header.length, rest.length);
    return out;
  }

  /** {@code From: <display name> <mailbox>}, the display name taken from the original when it has one. */
  private static String fromField(InternetHeaders headers, String mailbox) throws MessagingException {
    String personal = null;
    String[] from = headers.getHeader("From");
    if (from != null && from.length > 0) {
      try {
        InternetAddress[] parsed = InternetAddress.parseHeader(from[0], false);
        personal = parsed.length > 0 ? parsed[0].getPersonal() : null;
      } catch (AddressException e) {
        personal = null; // an unreadable From is replaced whole
      }
    }
    try {
      return "From: " + new InternetAddress(mailbox, personal, "UTF-8").toString();
    } catch (java.io.UnsupportedEncodingException e) {
      throw new MessagingException("cannot write a From header for " + mailbox, e);
    }
  }

  /** The message without any field called {@code name} (with its folded lines) in its header section. */
  static byte[] withoutField(byte[] message, String name) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(message.length);
    int i = 0;
    boolean skipping = false;
    while (i < message.length) {
      int end = i;
      while (end < message.length && message[end] != '\n') {
        end++;
      }
      int next = Math.min(end + 1, message.length);
      boolean blank = next - i <= 2 && (message[i] == '\r' || message[i] == '\n');
      if (blank) {
        out.write(message, i, message.length - i); // the body and the rest, unchanged
        return out.toByteArray();
      }
      boolean folded = message[i] == ' ' || message[i] == '\t';
      if (!folded) {
        skipping = startsWithField(message, i, name);
      }
      if (!skipping) {
        out.write(message, i, next - i);
      }
      i = next;
    }
    return out.toByteArray();
  }

  private static boolean startsWithField(byte[] message, int at, String name) {
    if (at + name.length() >= message.length) {
      return false;
    }
    for (int k = 0; k < name.length(); k++) {
      if (Character.toLowerCase((char) message[at + k]) != Character.toLowerCase(name.charAt(k))) {
        return false;
      }
    }
    int colon = at + name.length();
    while (colon < message.length && (message[colon] == ' ' || message[colon] == '\t')) {
      colon++;
    }
    return colon < message.length && message[colon] == ':';
  }

  /** The first few strangers, for a reason text. */
  Optional<String> strangersText() {
    if (strangers.isEmpty()) {
      return Optional.empty();
    }
    List<String> shown = strangers.subList(0, Math.min(5, strangers.size()));
    return Optional.of(String.join(", ", shown) + (strangers.size() > shown.size() ? ", ..." : ""));
  }
}
