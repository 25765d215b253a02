package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import relay.config.model.RelayConfig;
import relay.server.testing.FakeGraph;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/**
 * What the tests of a relay with a {@code graph} connector share: the fake Entra ID token endpoint
 * and the fake Microsoft Graph (HTTPS with a test CA, Graph's limits scaled down), a running
 * {@link RelayServer} configured from HOCON that sends everything through them, a device that sends
 * plain SMTP into it, and the delivery-attempt log lines.
 */
abstract class GraphRelayFixture {

  static final Duration PATIENCE = Duration.ofSeconds(30);
  static final String CLIENT_ID = "5d2e1f00-aaaa-bbbb-cccc-123456789abc";
  static final String SECRET = "relay~graph-secret.that_never-leaks";
  static final String MAILBOX = "relay@contoso.com";
  static final String HR = "hr@contoso.com";
  static final String POSTMASTER = "postmaster@contoso.com";

  @TempDir Path dir;
  final InstantSource clock = InstantSource.system();
  private final Logger attemptLog = (Logger) LoggerFactory.getLogger("relay.core.schedule.DeliveryAttempt");
  private final ch.qos.logback.core.read.ListAppender<ILoggingEvent> attempts = new ch.qos.logback.core.read.ListAppender<>();
  FakeTokenEndpoint endpoint;
  FakeGraph graph;
  TestRelay relay;
  TestPki pki;

  @BeforeEach
  void start() throws Exception {
    attempts.start();
    attemptLog.addAppender(attempts);
    pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    endpoint.acceptScope(FakeGraph.SCOPE);
    // Graph's limits scaled down: 5 messages a second per mailbox.
    graph = new FakeGraph(pki.serverContext("localhost"), endpoint, clock, 5, Duration.ofSeconds(1));
    graph.grantMailSend(CLIENT_ID);
    graph.mailbox(MAILBOX, "sales@contoso.com", "scanner@contoso.com");
    graph.mailbox(HR);
    graph.mailbox(POSTMASTER);
    relay = TestRelay.start(graphConfig());
  }

  /** The relay's configuration: one graph connector for every recipient, Graph's limits scaled down. */
  RelayConfig graphConfig() throws Exception {
    return graphConfig("");
  }

  /** With {@code extra} keys in the graph connector. */
  RelayConfig graphConfig(String extra) throws Exception {
    Path secretFile = Files.writeString(dir.resolve("graph-secret"), SECRET);
    return TestRelay.configFile(dir, """
        relay {
          home = "%s"
          hostname = "relay.test"
          listeners = [{
            name = "lan", address = "127.0.0.1", port = 2525, starttls = false
            inbound-connectors = [{ name = "office", client-networks = ["127.0.0.1/32"], relay = true, limits { max-recipients = 1000 } }]
          }]
          outbound-connectors = [{
            name = "graph", type = graph, graph-url = "%s", ca-file = "%s"
            oauth {
              authority = "%s", tenant = "%s", client-id = "%s"
              client-secret = "file:%s", ca-file = "%s"
            }
            identities = [
              { sender = "%s", mailbox = "%s" }
              { sender = "*", mailbox = "%s" }
              { sender = "<>", mailbox = "%s" }
            ]
            # Below the upstream's 5 a second, so that latency never pushes Relay over it.
            pacing { max-sessions = 2, messages-per-minute = 4, message-window = 1s, throttle-pause = 1s }
            recipient-domains = ["*"]
            %s
          }]
          delivery {
            retry { initial-delay = 200ms, multiplier = 2.0, max-delay = 1s, jitter = 0, max-lifetime = 1h }
          }
        }
        """.formatted(dir.resolve("home"), graph.url(), pki.writeCaPem(dir), endpoint.authority(),
        FakeTokenEndpoint.TENANT, CLIENT_ID, secretFile, endpoint.writeTrustPem(dir), HR, HR, MAILBOX, POSTMASTER,
        extra));
  }

  @AfterEach
  void stop() {
    attemptLog.detachAppender(attempts);
    if (relay != null) {
      relay.close();
    }
    graph.close();
    endpoint.close();
  }

  /** A device's message: From is the envelope sender, To the visible recipients; the envelope may add more. */
  byte[] send(String sender, List<String> to, List<String> envelope, int padding) throws Exception {
    return send(sender, to, envelope, padding, relay);
  }

  byte[] send(String sender, List<String> to, List<String> envelope, int padding, TestRelay relay)
      throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(relay.smtpPort()));
    p.put("mail.smtp.from", sender);
    Session session = Session.getInstance(p);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(sender));
    if (to.isEmpty()) {
      message.setHeader("To", "undisclosed-recipients:;");
    } else {
      message.setRecipients(Message.RecipientType.TO, String.join(", ", to));
    }
    message.setSubject("Scan");
    message.setText("Page one\r\n.leading dot\r\n" + "x".repeat(padding) + "\r\nend\r\n");
    message.saveChanges();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    message.writeTo(content);
    Address[] rcpts = new Address[envelope.size()];
    for (int i = 0; i < rcpts.length; i++) {
      rcpts[i] = new InternetAddress(envelope.get(i));
    }
    try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
      transport.connect();
      transport.sendMessage(message, rcpts);
      assertThat(transport.getLastServerResponse()).startsWith("250 2.0.0");
    }
    return content.toByteArray();
  }

  List<String> attemptLines() {
    return attempts.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
