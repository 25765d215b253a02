package relay.server.main;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Test aid: a device sending one message to Relay with Angus Mail, an SMTP client Relay did not
 * write. The envelope sender ({@value #SENDER}) differs from the {@code From:} header so tests can
 * tell which one Relay passed on.
 *
 * <p>Immutable; each {@link #send} opens its own connection.
 */
final class MailClient {

  static final String SENDER = "bounces@corp.example";
  static final String HELO = "printer.corp.example";

  /** What the client sent and what Relay finally answered. */
  record Sent(byte[] content, String lastReply) {}

  private final int port;
  private final Optional<Path> trustedCertificate;

  /**
   * @param port Relay's SMTP port on 127.0.0.1
   * @param trustedCertificate when present, STARTTLS is required and only this PEM certificate is
   *     trusted, with the server identity (127.0.0.1) checked
   */
  MailClient(int port, Optional<Path> trustedCertificate) {
    this.port = port;
    this.trustedCertificate = trustedCertificate;
  }

  /** Sends a small scan notification with dot-leading lines to the given envelope recipients. */
  Sent send(String... recipients) throws Exception {
    return sendFrom(SENDER, recipients);
  }

  /** The same message with {@code sender} as the envelope sender. */
  Sent sendFrom(String sender, String... recipients) throws Exception {
    Properties properties = properties();
    properties.put("mail.smtp.from", sender);
    Session session = Session.getInstance(properties);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("scanner@corp.example"));
    message.setRecipients(Message.RecipientType.TO, "boss@corp.example");
    message.setSubject("Scan 42");
    message.setText("Page one\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n");
    message.saveChanges();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    message.writeTo(content);
    Address[] envelope = new Address[recipients.length];
    for (int i = 0; i < recipients.length; i++) {
      envelope[i] = new InternetAddress(recipients[i]);
    }
    try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
      transport.connect();
      transport.sendMessage(message, envelope);
      return new Sent(content.toByteArray(), transport.getLastServerResponse().strip());
    }
  }

  private Properties properties() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.localhost", HELO);
    p.put("mail.smtp.from", SENDER);
    p.put("mail.smtp.connectiontimeout", "5000");
    p.put("mail.smtp.timeout", "10000");
    if (trustedCertificate.isPresent()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.socketFactory", trusting(trustedCertificate.get()).getSocketFactory());
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    return p;
  }

  private static SSLContext trusting(Path pem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trust.setCertificateEntry("relay", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
