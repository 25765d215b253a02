package relay.core.session;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Builds the {@code Received:} trace header Relay prepends to each message (RFC 5321 section 4.4,
 * {@code with} keywords of RFC 3848 and RFC 6531: S for TLS, A for SMTP AUTH), folded onto continuation lines so no line exceeds 78 characters
 * for ordinary names, CRLF line endings. The id is the session id: the queue id only exists after
 * the commit, when the content is already on disk. Stateless.
 */
final class ReceivedHeader {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.US).withZone(ZoneOffset.UTC);

  private ReceivedHeader() {}

  static byte[] build(
      String helo, String clientAddress, String hostName, boolean esmtp, boolean tls, boolean authenticated, boolean utf8, String id, Instant at) {
    String protocol = (utf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP") + (tls ? "S" : "") + (authenticated ? "A" : "");
    String literal = clientAddress.indexOf(':') >= 0 ? "IPv6:" + clientAddress : clientAddress;
    String header =
        "Received: from " + helo + " ([" + literal + "])\r\n"
            + "\tby " + hostName + " (Relay) with " + protocol + " id " + id + ";\r\n"
            + "\t" + DATE.format(at) + "\r\n";
    return header.getBytes(StandardCharsets.UTF_8);
  }
}
