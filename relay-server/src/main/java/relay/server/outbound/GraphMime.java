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
 * <p>Immutable; a pure function of the bytes and the recipients.
 */
final class GraphMime {

  private static final List<String> ADDRESS_HEADERS = List.of("To", "Cc", "Bcc");

  private final byte[] original;
  private final List<Recipient> hidden;
  private final List<String> strangers;

  /**
   * @param message the spooled message, as received
   * @param pending the recipients this attempt is for
   * @throws MessagingException when the header section cannot be read
   */
  GraphMime(byte[] message, List<Recipient> pending) throws MessagingException {
    this.original = message;
    InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(message));
    Set<String> inHeaders = new LinkedHashSet<>();
    for (String name : ADDRESS_HEADERS) {
      String[] values = headers.getHeader(name);
      if (values == null) {
        continue;
      }
      for (String value : values) {
        try {
          for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
            if (a.getAddress() != null && !a.getAddress().isBlank()) {
              inHeaders.add(a.getAddress().toLowerCase(Locale.ROOT));
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
    if (hidden.isEmpty()) {
      return original;
    }
    StringBuilder bcc = new StringBuilder("Bcc: ");
    for (int i = 0; i < hidden.size(); i++) {
      // one address per line keeps every line far below 998 octets, however many there are
      bcc.append(i == 0 ? "" : ",\r\n ").append(hidden.get(i).address().address());
    }
    bcc.append("\r\n");
    byte[] header = bcc.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[header.length + original.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(original, 0, out, header.length, original.length);
    return out;
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
