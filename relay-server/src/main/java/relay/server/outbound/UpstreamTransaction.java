package relay.server.outbound;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;

/**
 * One MAIL/RCPT/DATA transaction on an open Angus connection, shared by every SMTP transport, and
 * the upstream's reply to each recipient read back out of it. A recipient refused at RCPT keeps its
 * own reply; the accepted ones share the reply to the end of DATA, and every recipient shares the
 * reply to MAIL FROM when that was refused. A recipient the upstream never answered for is left
 * out of the result, so that the caller decides what that means.
 *
 * <p>Stateless; the connection it is given must not be used by another thread meanwhile.
 */
final class UpstreamTransaction {

  private UpstreamTransaction() {}

  /**
   * Sends {@code message} (envelope sender already set) to {@code recipients}.
   *
   * @return the upstream's reply per recipient, in the recipients' order
   * @throws MessagingException when the connection failed before or during the transaction: its
   *     state is unknown and it must not be reused
   */
  static Map<Recipient, SmtpReply> send(SMTPTransport transport, SpooledMessage message, List<Recipient> recipients)
      throws MessagingException {
    Map<String, Recipient> byAddress = new HashMap<>();
    Address[] addresses = new Address[recipients.size()];
    for (int i = 0; i < recipients.size(); i++) {
      InternetAddress address = new InternetAddress();
      // Set verbatim: parsing could alter or refuse a path the listener already accepted.
      address.setAddress(recipients.get(i).address().address());
      addresses[i] = address;
      byAddress.put(address.getAddress(), recipients.get(i));
    }
    Map<Recipient, SmtpReply> replies = new LinkedHashMap<>();
    try {
      transport.sendMessage(message, addresses);
      SmtpReply done = UpstreamReply.parse(transport.getLastReturnCode(), transport.getLastServerResponse());
      recipients.forEach(r -> replies.put(r, done));
      return replies;
    } catch (SendFailedException e) {
      if (noReply(e)) {
        // Angus reports a connection closed under a command as that command's failure with code
        // -1 ("[EOF]"): nothing was answered, so it is a lost connection, not a reply.
        throw new MessagingException("connection closed by the upstream", e);
      }
      Map<Recipient, SmtpReply> refused = refusals(e, byAddress);
      SmtpReply shared = switch (e) {
        case SMTPSenderFailedException sender -> UpstreamReply.parse(sender.getReturnCode(), sender.getMessage());
        case SMTPSendFailedException send -> UpstreamReply.parse(send.getReturnCode(), send.getMessage());
        default -> null;
      };
      for (Recipient r : recipients) {
        SmtpReply reply = e instanceof SMTPSenderFailedException ? shared : refused.getOrDefault(r, shared);
        if (reply != null) {
          replies.put(r, reply);
        }
      }
      return replies;
    }
  }

  private static boolean noReply(SendFailedException e) {
    return switch (e) {
      case SMTPSenderFailedException sender -> sender.getReturnCode() == -1;
      case SMTPSendFailedException send -> send.getReturnCode() == -1;
      default -> false;
    };
  }

  private static Map<Recipient, SmtpReply> refusals(SendFailedException e, Map<String, Recipient> byAddress)
      throws MessagingException {
    Map<Recipient, SmtpReply> refused = new HashMap<>();
    for (Exception next = e.getNextException(); next != null;
        next = next instanceof MessagingException m ? m.getNextException() : null) {
      if (next instanceof SMTPAddressFailedException failed) {
        Recipient r = byAddress.get(failed.getAddress().getAddress());
        if (failed.getReturnCode() == -1) {
          throw new MessagingException("connection closed by the upstream", failed);
        }
        if (r != null) {
          refused.put(r, UpstreamReply.parse(failed.getReturnCode(), failed.getMessage()));
        }
      } else if (!(next instanceof SMTPAddressSucceededException) && !(next instanceof MessagingException)) {
        // An I/O failure inside the transaction: the connection is in an unknown state.
        throw new MessagingException("connection failed during the transaction", next);
      }
    }
    return refused;
  }
}
