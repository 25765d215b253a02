package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running {@link RelayServer} on the embedded default, and the policy and metrics of a running relay. */
class RelayServerTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private TestRelay relay;

  @AfterEach
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void embeddedDefaultDropsTheMessageUnderTheIdGivenInThe250Reply() throws Exception {
    Path home = dir.resolve("home");
    relay = TestRelay.start(TestRelay.embeddedDefault(home));

    MailClient.Sent sent = new MailClient(relay.smtpPort(), Optional.empty()).send("boss@corp.example", "ext@partner.example");

    assertThat(sent.lastReply()).matches("250 2\\.0\\.0 Ok queued as \\S+");
    String id = sent.lastReply().substring("250 2.0.0 Ok queued as ".length());
    Path eml = home.resolve("drop").resolve(id + ".eml");
    await().atMost(PATIENCE).until(() -> Files.exists(eml));
    byte[] dropped = Files.readAllBytes(eml);
    int headerEnd = SmartHostRelayTest.endOfFirstHeader(dropped);
    assertThat(new String(dropped, 0, headerEnd, StandardCharsets.US_ASCII))
        .startsWith("Received: from " + MailClient.HELO + " ([127.0.0.1])\r\n\tby localhost (Relay) with ESMTP id ");
    assertThat(Arrays.copyOfRange(dropped, headerEnd, dropped.length)).isEqualTo(sent.content());
    assertThat(Files.readString(home.resolve("drop").resolve(id + ".envelope")))
        .contains("id: " + id + "\n", "sender: <" + MailClient.SENDER + ">\n", "inbound-connector: loopback\n",
            "recipient: <boss@corp.example>\n", "recipient: <ext@partner.example>\n");
  }

  @Test
  void embeddedDefaultOffersStartTlsWithTheCertificateItGeneratesInHome() throws Exception {
    Path home = dir.resolve("home");
    relay = TestRelay.start(TestRelay.embeddedDefault(home));
    assertThat(relay.selfSignedCertificate()).startsWith(home).isRegularFile();

    MailClient.Sent sent = new MailClient(relay.smtpPort(), Optional.of(relay.selfSignedCertificate())).send("boss@corp.example");

    String id = sent.lastReply().substring("250 2.0.0 Ok queued as ".length());
    Path eml = home.resolve("drop").resolve(id + ".eml");
    await().atMost(PATIENCE).until(() -> Files.exists(eml));
    assertThat(Files.readString(eml)).contains(" with ESMTPS id ");
  }

  @Test
  void describeNamesTheBoundPortsWhereMailGoesAndTheAdminEndpointWhichIsHealthy() throws Exception {
    Path home = dir.resolve("home");
    relay = TestRelay.start(TestRelay.embeddedDefault(home));

    assertThat(relay.server().describe())
        .startsWith("Relay ready: SMTP on 127.0.0.1:" + relay.smtpPort() + " (STARTTLS) from loopback ")
        .contains("mail goes to drop folder " + home.resolve("drop"))
        .endsWith("metrics on http://127.0.0.1:" + relay.adminPort() + "/metrics");
    assertThat(relay.admin("/healthz").statusCode()).isEqualTo(200);
    assertThat(relay.admin("/healthz").body()).isEqualTo("ok relay\nok smtp-default\n");
    assertThat(relay.admin("/readyz").statusCode()).isEqualTo(200);
    assertThat(relay.admin("/readyz").body())
        .isEqualTo("ok relay\nok protocol-log\nok tracking-log\nok spool\nok spool-recovery\nok intake\n");
  }

  @Test
  void metricsCountTheConnectionTheMessageAndItsDeliveryAndShowAnEmptySpool() throws Exception {
    relay = TestRelay.start(TestRelay.embeddedDefault(dir.resolve("home")));

    new MailClient(relay.smtpPort(), Optional.empty()).send("boss@corp.example");

    await().atMost(PATIENCE).untilAsserted(() ->
        assertThat(relay.metric("relay_delivery_attempts_total", "connector=\"drop\"", "result=\"delivered\""))
            .hasValue(1.0));
    assertThat(relay.metric("relay_connections_total", "listener=\"default\"", "connector=\"loopback\"",
        "result=\"accepted\"")).hasValue(1.0);
    assertThat(relay.metric("relay_messages_received_total", "connector=\"loopback\"")).hasValue(1.0);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(relay.metric("relay_spool_messages")).hasValue(0.0));
  }

  @Test
  void clientOutsideEveryInboundConnectorGets554AndNothingIsQueued() throws Exception {
    InetAddress stranger = InetAddress.getByName("127.0.0.2");
    relay = TestRelay.start(TestRelay.configFile(dir, """
        relay {
          home = "%s"
          listeners = [{
            name = "lan"
            address = "127.0.0.1"
            port = 2525
            starttls = false
            inbound-connectors = [{ name = "this-host", client-networks = ["127.0.0.1/32"], relay = true }]
          }]
        }
        """.formatted(dir.resolve("home"))));

    try (Socket socket = new Socket()) {
      try {
        socket.bind(new InetSocketAddress(stranger, 0));
      } catch (IOException e) {
        assumeThat(e).as("this machine cannot bind 127.0.0.2").isNull();
      }
      socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), relay.smtpPort()), 5000);
      socket.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("554 5.7.1 ");
      assertThat(in.readLine()).as("the relay closes the connection").isNull();
    }

    assertThat(relay.metric("relay_connections_total", "result=\"refused\"")).hasValue(1.0);
    assertThat(relay.metric("relay_connections_total", "result=\"accepted\"")).isEmpty();
    assertThat(relay.metric("relay_spool_messages")).hasValue(0.0);
  }
}
