package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.connector.Secret;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundAuth;
import relay.core.policy.InboundConnector;
import relay.core.session.SessionLimits;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog;

/** SMTP AUTH over real sockets and real STARTTLS, with Angus Mail as the client. */
class SmtpListenerAuthTest {

  private static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(1 << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1));
  private static final String PASSWORD = "Pr1nt3r-pa55!";

  @TempDir Path dir;
  private TestSpool spool;
  private SmtpListener listener;
  private TestPki pki;
  private final List<String> protocol = new CopyOnWriteArrayList<>();

  private int start(boolean required) throws Exception {
    pki = new TestPki();
    spool = new TestSpool(dir);
    InboundAuth auth = new InboundAuth(Map.of("scanner", Secret.of(PASSWORD)), required, true, false);
    InboundConnector connector = new InboundConnector(
        "scanners", List.of(ClientNetwork.parse("127.0.0.0/8"), ClientNetwork.parse("::1/128")), false, Set.of(),
        false, Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, LIMITS, auth);
    ListenerSettings settings = new ListenerSettings(
        "smtp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "relay.test",
        List.of(connector), Optional.of(pki.serverContext()), 100, 10);
    listener = new SmtpListener(
        settings, spool, m -> {}, new ProtocolLog(protocol::add), RelayMetrics.NONE, InstantSource.fixed(NOW));
    listener.start();
    return listener.port();
  }

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
  }

  private Session mailSession(int port, boolean startTls, String mechanism) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.localhost", "scanner.corp.example");
    p.put("mail.smtp.timeout", "20000");
    if (mechanism != null) {
      p.put("mail.smtp.auth", "true");
      p.put("mail.smtp.auth.mechanisms", mechanism);
    }
    if (startTls) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session session, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("scanner@corp.example"));
    m.setRecipients(Message.RecipientType.TO, to);
    m.setSubject("Scan 7");
    m.setText("page\r\n");
    m.saveChanges();
    return m;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private void assertProtocolLogHoldsNoCredentials() {
    assertThat(protocol).isNotEmpty();
    assertThat(String.join("\n", protocol))
        .doesNotContain(PASSWORD)
        .doesNotContain(b64(PASSWORD))
        .doesNotContain(b64("\0scanner\0" + PASSWORD))
        .doesNotContain(b64("scanner\0scanner\0" + PASSWORD))
        .doesNotContain(b64("wrong-password"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN"})
  void clientAuthenticatesAfterStartTlsAndMayRelayWithEsmtpsa(String mechanism) throws Exception {
    int port = start(false);
    Session session = mailSession(port, true, mechanism);
    // elsewhere.example is outside the connector's domains: only the authentication lets it through.
    MimeMessage m = message(session, "boss@corp.example, partner@elsewhere.example");
    String lastReply;
    try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
      t.connect("scanner", PASSWORD);
      t.sendMessage(m, m.getAllRecipients());
      lastReply = t.getLastServerResponse().strip();
    }
    assertThat(spool.messages()).hasSize(1);
    QueuedMessage q = spool.messages().getFirst();
    assertThat(lastReply).isEqualTo("250 2.0.0 Ok queued as " + q.id());
    assertThat(new String(spool.content(q), StandardCharsets.UTF_8)).contains(" with ESMTPSA id ");
    assertThat(protocol).anyMatch(line -> line.endsWith("235 2.7.0 Authentication successful"));
    assertThat(protocol).anyMatch(line -> line.contains("AUTH " + mechanism));
    assertProtocolLogHoldsNoCredentials();
  }

  @Test
  void wrongPasswordIsRefusedWith535() throws Exception {
    int port = start(false);
    Session session = mailSession(port, true, "PLAIN");
    try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
      assertThatThrownBy(() -> t.connect("scanner", "wrong-password"))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(t.getLastServerResponse()).startsWith("535 5.7.8 ");
    }
    assertProtocolLogHoldsNoCredentials();
  }

  @Test
  void authIsNotOfferedBeforeStartTls() throws Exception {
    int port = start(false);
    try (SMTPTransport t = (SMTPTransport) mailSession(port, false, null).getTransport("smtp")) {
      t.connect();
      assertThat(t.supportsExtension("AUTH")).isFalse();
    }
    try (SMTPTransport t = (SMTPTransport) mailSession(port, true, null).getTransport("smtp")) {
      t.connect();
      assertThat(t.supportsExtension("STARTTLS")).isFalse();
      assertThat(t.getExtensionParameter("AUTH")).isEqualTo("PLAIN LOGIN");
    }
  }

  @Test
  void requiredAuthRefusesMailFromAnUnauthenticatedClientWith530() throws Exception {
    int port = start(true);
    Session session = mailSession(port, true, null);
    MimeMessage m = message(session, "boss@corp.example");
    try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
      t.connect();
      assertThatThrownBy(() -> t.sendMessage(m, m.getAllRecipients())).isInstanceOf(MessagingException.class);
      assertThat(t.getLastServerResponse()).startsWith("530 5.7.0 ");
    }
    assertThat(spool.messages()).isEmpty();
  }
}
