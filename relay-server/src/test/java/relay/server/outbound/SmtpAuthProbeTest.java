package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.RejectException;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.MailPath;
import relay.server.outbound.ProbeStep.Verdict;
import relay.server.outbound.oauth.RefreshPolicy;
import relay.server.outbound.oauth.TokenClient;
import relay.server.outbound.oauth.TokenListener;
import relay.server.outbound.oauth.TokenSources;
import relay.server.testing.FakeMicrosoft365;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/**
 * {@code relay test-connector} on an smtp-auth connector against a fake Microsoft 365: token
 * endpoint refusals explained by their AADSTS code, {@code 535 5.7.139}, {@code 550 5.7.60}, and a
 * clean run that sends nothing (or exactly one message with {@code --send}). The secret never shows.
 */
class SmtpAuthProbeTest {

  private static final String CLIENT_ID = "0b1f2c3d-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "s3cr3t~value-that.must_never-leak";
  private static final String MAILBOX = "relay@contoso.com";

  @TempDir Path dir;
  private final InstantSource clock = InstantSource.system();
  private FakeTokenEndpoint endpoint;
  private FakeMicrosoft365 m365;
  private Path ca;

  @BeforeEach
  void start() throws Exception {
    TestPki pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    m365 = new FakeMicrosoft365(pki.serverContext("localhost", Duration.ofDays(365)), endpoint, clock, 3, 30,
        Duration.ofMinutes(1));
    m365.mailbox(MAILBOX, "scanner@contoso.com");
    ca = pki.writeCaPem(dir);
  }

  @AfterEach
  void stop() {
    m365.close();
    endpoint.close();
  }

  @Test
  void everyStepPassesAndNothingIsSubmitted() throws Exception {
    ProbeReport report = probe(CLIENT_ID, SECRET, FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("scanner@contoso.com"), MailPath.parse("boss@fabrikam.com"), false);

    assertThat(report.exitStatus()).as(report.text()).isZero();
    assertThat(report.steps()).extracting(ProbeStep::name).containsExactly("identity", "token", "DNS", "connect",
        "banner", "EHLO", "STARTTLS", "TLS", "certificate", "expiry", "EHLO (TLS)", "AUTH", "MAIL FROM", "RCPT TO",
        "RSET", "QUIT");
    assertThat(report.steps().getFirst().detail()).isEqualTo("<scanner@contoso.com> is submitted as mailbox " + MAILBOX);
    assertThat(report.steps()).filteredOn(s -> s.name().equals("AUTH")).singleElement()
        .satisfies(s -> assertThat(s.detail()).isEqualTo("signed in as " + MAILBOX + " with XOAUTH2"));
    assertThat(m365.messages).isEmpty();
    assertNoSecret(report);
  }

  @Test
  void sendSubmitsExactlyOneMessage() throws Exception {
    ProbeReport report = probe(CLIENT_ID, SECRET, FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("scanner@contoso.com"), MailPath.parse("boss@fabrikam.com"), true);

    assertThat(report.exitStatus()).as(report.text()).isZero();
    assertThat(m365.messages).singleElement().satisfies(m -> {
      assertThat(m.mailbox()).isEqualTo(MAILBOX);
      assertThat(m.from()).isEqualTo("scanner@contoso.com");
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).contains("Subject: Relay connector test");
    });
  }

  @Test
  void wrongSecretIsExplainedAsAADSTS7000215AndNeverShown() throws Exception {
    ProbeReport report = probe(CLIENT_ID, "not-the-secret-value", FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("scanner@contoso.com"), null, false);

    ProbeStep token = report.steps().getLast();
    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(token.name()).isEqualTo("token");
    assertThat(token.detail()).contains("AADSTS7000215", "invalid_client");
    assertThat(token.hint()).contains("Value", "not its Secret ID");
    assertThat(report.text() + report.json()).doesNotContain("not-the-secret-value");
    assertThat(m365.authFailures.get()).isZero();
  }

  @Test
  void unknownApplicationIsExplainedAsAADSTS700016() throws Exception {
    ProbeReport report = probe("11111111-2222-3333-4444-555555555555", SECRET, FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("scanner@contoso.com"), null, false);

    assertThat(report.steps().getLast().detail()).contains("AADSTS700016");
    assertThat(report.steps().getLast().hint()).contains("client-id");
    assertNoSecret(report);
  }

  @Test
  void unknownTenantIsExplainedAsAADSTS90002() throws Exception {
    ProbeReport report = probe(CLIENT_ID, SECRET, "fabrikam.onmicrosoft.com")
        .run(MailPath.parse("scanner@contoso.com"), null, false);

    assertThat(report.steps().getLast().detail()).contains("AADSTS90002");
    assertThat(report.steps().getLast().hint()).contains("tenant does not exist");
  }

  @Test
  void smtpAuthDisabledFailsTheAuthStepWithItsFix() throws Exception {
    m365.signInRefusal = new RejectException(535,
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.");

    ProbeReport report = probe(CLIENT_ID, SECRET, FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("scanner@contoso.com"), null, false);

    ProbeStep auth = report.steps().getLast();
    assertThat(report.exitStatus()).isEqualTo(2);
    assertThat(auth.name()).isEqualTo("AUTH");
    assertThat(auth.reply()).startsWith("535 5.7.139");
    assertThat(auth.hint()).contains("SMTP AUTH is disabled", "SmtpClientAuthenticationDisabled");
    assertNoSecret(report);
  }

  @Test
  void senderTheMailboxMayNotSendAsFailsMailFromWith5760() throws Exception {
    ProbeReport report = probe(CLIENT_ID, SECRET, FakeTokenEndpoint.TENANT)
        .run(MailPath.parse("ceo@contoso.com"), MailPath.parse("boss@fabrikam.com"), true);

    ProbeStep mail = report.steps().stream().filter(s -> s.name().equals("MAIL FROM")).findFirst().orElseThrow();
    assertThat(mail.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(mail.reply()).startsWith("550 5.7.60");
    assertThat(mail.hint()).contains("Send As");
    assertThat(m365.messages).isEmpty();
  }

  @Test
  void senderWithoutIdentityFailsBeforeAnyToken() throws Exception {
    OutboundConnector.SmtpAuth connector = connector(credential(CLIENT_ID, SECRET, FakeTokenEndpoint.TENANT),
        new SenderIdentities(List.of(new SenderIdentity("*@contoso.com", MAILBOX, null, null))));

    ProbeReport report = new ConnectorProbe(connector, clock, null, tokens()).run(MailPath.parse("x@elsewhere.test"), null, false);

    assertThat(report.steps()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("identity");
      assertThat(s.verdict()).isEqualTo(Verdict.FAIL);
    });
    assertThat(endpoint.requests()).isZero();
  }

  private ConnectorProbe probe(String clientId, String secret, String tenant) throws Exception {
    OutboundConnector.SmtpAuth connector = connector(credential(clientId, secret, tenant), new SenderIdentities(List.of(
        new SenderIdentity("*", MAILBOX, null, null))));
    return new ConnectorProbe(connector, clock, null, tokens());
  }

  private SubmissionCredential credential(String clientId, String secret, String tenant) {
    return new SubmissionCredential.OAuth(endpoint.authority(), tenant, clientId,
        SubmissionCredential.OAuth.OUTLOOK_SCOPE, new Secret("env:M365_SECRET", secret), null, null);
  }

  private OutboundConnector.SmtpAuth connector(SubmissionCredential credential, SenderIdentities identities) {
    Pacing pacing = new Pacing(2, 4, Duration.ofSeconds(1), 10_000, Duration.ofHours(24), 3,
        Duration.ofSeconds(1), Duration.ofSeconds(30));
    return new OutboundConnector.SmtpAuth("m365", new UpstreamHost("localhost", m365.port()), ca, "relay.test",
        Duration.ofSeconds(5), Duration.ofSeconds(10), credential, identities, pacing);
  }

  private TokenSources tokens() throws Exception {
    TokenClient client = new TokenClient(TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock,
        Duration.ofSeconds(20));
    return new TokenSources(client, clock, RefreshPolicy.DEFAULT, TokenListener.NONE);
  }

  private void assertNoSecret(ProbeReport report) {
    String all = report.text() + report.json();
    assertThat(all).doesNotContain(SECRET);
    endpoint.issued().forEach(token -> assertThat(all).doesNotContain(token));
  }
}
