package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.connector.Secret;
import relay.core.envelope.Domain;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundAuth;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.RemoteDomains;
import relay.core.routing.Router;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleEngine;
import relay.core.routing.rule.RuleMode;

class SmtpSessionAuthTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(1000, 3, 3, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10));
  private static final InboundAuth AUTH = new InboundAuth(Map.of("scanner", Secret.of("s3cret")), false, true, false);

  private static InboundConnector connector(InboundAuth auth) {
    return new InboundConnector(
        "scanners", List.of(ClientNetwork.parse("192.0.2.0/24")), false, Set.of(), false,
        Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE, LIMITS, auth);
  }

  private static SessionDriver plain(InboundAuth auth, RoutingSnapshot routing) {
    return new SessionDriver(new SmtpSession(new SessionContext(
        "relay.example", Optional.of(connector(auth)), "192.0.2.10", 40000, true, InstantSource.fixed(NOW), "S1",
        routing)));
  }

  /** A session that said EHLO, did STARTTLS and said EHLO again. */
  private static SessionDriver secured(InboundAuth auth, RoutingSnapshot routing) {
    SessionDriver d = plain(auth, routing);
    d.send("EHLO scanner.local", "STARTTLS");
    d.apply(d.session.tlsEstablished(d.state));
    d.send("EHLO scanner.local");
    return d;
  }

  private static SessionDriver secured(InboundAuth auth) {
    return secured(auth, RoutingSnapshot.single("default"));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void ehloOffersAuthOnlyOnceTheSessionIsEncrypted() {
    SessionDriver d = plain(AUTH, RoutingSnapshot.single("default"));
    assertThat(d.one("EHLO scanner.local").lines()).doesNotContain("AUTH PLAIN LOGIN");
    d.send("STARTTLS");
    d.apply(d.session.tlsEstablished(d.state));
    assertThat(d.one("EHLO scanner.local").lines()).contains("AUTH PLAIN LOGIN");
  }

  @Test
  void ehloOffersAuthInPlainTextOnlyWhenTheConnectorAllowsPlaintext() {
    InboundAuth open = new InboundAuth(AUTH.users(), false, true, true);
    assertThat(plain(open, RoutingSnapshot.single("default")).one("EHLO s").lines()).contains("AUTH PLAIN LOGIN");
  }

  @Test
  void authBeforeStartTlsIsRefusedWith538() {
    SessionDriver d = plain(AUTH, RoutingSnapshot.single("default"));
    d.send("EHLO scanner.local");
    assertThat(d.one("AUTH PLAIN " + b64("\0scanner\0s3cret")).toWire()).startsWith("538 5.7.11 ");
    assertThat(d.state.authenticatedUser()).isNull();
  }

  @Test
  void authOnAConnectorWithoutUsersIsNotImplemented() {
    assertThat(secured(InboundAuth.NONE).one("AUTH PLAIN " + b64("\0scanner\0s3cret")).toWire())
        .startsWith("502 5.5.1 ");
  }

  @Test
  void authPlainWithInitialResponseSucceedsWith235() {
    SessionDriver d = secured(AUTH);
    SmtpReply reply = d.one("AUTH PLAIN " + b64("\0scanner\0s3cret"));
    assertThat(reply.toWire()).isEqualTo("235 2.7.0 Authentication successful\r\n");
    assertThat(d.state.authenticatedUser()).isEqualTo("scanner");
  }

  @Test
  void authPlainWithoutInitialResponseAsksWithAnEmpty334() {
    SessionDriver d = secured(AUTH);
    assertThat(d.one("AUTH PLAIN").toWire()).isEqualTo("334 \r\n");
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.AUTH);
    assertThat(d.one(b64("scanner\0scanner\0s3cret"))).isEqualTo(Replies.AUTH_OK);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
  }

  @Test
  void authLoginAsksForUserNameThenPassword() {
    SessionDriver d = secured(AUTH);
    assertThat(d.one("AUTH LOGIN").toWire()).isEqualTo("334 VXNlcm5hbWU6\r\n");
    assertThat(d.one(b64("scanner")).toWire()).isEqualTo("334 UGFzc3dvcmQ6\r\n");
    assertThat(d.one(b64("s3cret"))).isEqualTo(Replies.AUTH_OK);
    assertThat(d.state.authenticatedUser()).isEqualTo("scanner");
  }

  @Test
  void authLoginWithTheUserNameAsInitialResponseAsksOnlyForThePassword() {
    SessionDriver d = secured(AUTH);
    assertThat(d.one("AUTH LOGIN " + b64("scanner")).toWire()).isEqualTo("334 UGFzc3dvcmQ6\r\n");
    assertThat(d.one(b64("s3cret"))).isEqualTo(Replies.AUTH_OK);
  }

  @Test
  void wrongPasswordIsRefusedWith535AndCountsAsAnError() {
    SessionDriver d = secured(AUTH);
    SmtpReply reply = d.one("AUTH PLAIN " + b64("\0scanner\0wrong"));
    assertThat(reply.toWire()).isEqualTo("535 5.7.8 Authentication credentials invalid\r\n");
    assertThat(d.state.errors()).isEqualTo(1);
    assertThat(d.state.authenticatedUser()).isNull();
  }

  @Test
  void unknownUserIsRefusedWith535LikeAWrongPassword() {
    assertThat(secured(AUTH).one("AUTH PLAIN " + b64("\0nobody\0s3cret"))).isEqualTo(Replies.AUTH_INVALID);
  }

  @Test
  void authorisationIdentityOtherThanTheUserIsRefusedWith535() {
    assertThat(secured(AUTH).one("AUTH PLAIN " + b64("admin\0scanner\0s3cret"))).isEqualTo(Replies.AUTH_INVALID);
  }

  @Test
  void unknownMechanismIsRefusedWith504() {
    assertThat(secured(AUTH).one("AUTH CRAM-MD5").toWire()).startsWith("504 5.5.4 ");
  }

  @Test
  void responseThatIsNotBase64IsRefusedWith501Dot5Dot5Dot2() {
    SessionDriver d = secured(AUTH);
    d.send("AUTH LOGIN");
    assertThat(d.one("not base64!").toWire()).startsWith("501 5.5.2 ");
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
    assertThat(secured(AUTH).one("AUTH PLAIN %%%").toWire()).startsWith("501 5.5.2 ");
  }

  @Test
  void starCancelsTheExchangeWith501Dot0Dot0() {
    SessionDriver d = secured(AUTH);
    d.send("AUTH LOGIN", b64("scanner"));
    assertThat(d.one("*").toWire()).startsWith("501 5.0.0 ");
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
    assertThat(d.state.authenticatedUser()).isNull();
  }

  @Test
  void secondAuthIsRefusedWith503() {
    SessionDriver d = secured(AUTH);
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"));
    assertThat(d.one("AUTH PLAIN " + b64("\0scanner\0s3cret"))).isEqualTo(Replies.ALREADY_AUTHENTICATED);
  }

  @Test
  void authDuringAMailTransactionIsRefusedWith503() {
    SessionDriver d = secured(AUTH);
    d.send("MAIL FROM:<scan@corp.example>");
    assertThat(d.one("AUTH PLAIN " + b64("\0scanner\0s3cret")).toWire()).startsWith("503 5.5.1 ");
  }

  @Test
  void repeatedFailedAuthClosesTheSessionPastMaxErrors() {
    SessionDriver d = secured(AUTH);
    String bad = "AUTH PLAIN " + b64("\0scanner\0guess");
    List<SmtpReply> replies = d.send(bad, bad, bad, bad);
    assertThat(replies).endsWith(Replies.AUTH_INVALID, Replies.TOO_MANY_ERRORS);
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.CLOSED);
  }

  @Test
  void requiredAuthRefusesMailWith530UntilTheClientAuthenticated() {
    SessionDriver d = secured(new InboundAuth(AUTH.users(), true, true, false));
    assertThat(d.one("MAIL FROM:<scan@corp.example>").toWire()).isEqualTo("530 5.7.0 Authentication required\r\n");
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"));
    assertThat(d.one("MAIL FROM:<scan@corp.example>")).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void authenticatedClientMayRelayWhenAuthGrantsRelay() {
    SessionDriver anonymous = secured(AUTH);
    anonymous.send("MAIL FROM:<scan@corp.example>");
    assertThat(anonymous.one("RCPT TO:<someone@elsewhere.example>")).isEqualTo(Replies.RELAY_DENIED);

    SessionDriver d = secured(AUTH);
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"), "MAIL FROM:<scan@corp.example>");
    assertThat(d.one("RCPT TO:<someone@elsewhere.example>")).isEqualTo(Replies.RECIPIENT_OK);
  }

  @Test
  void authenticatedClientMayNotRelayWhenAuthDoesNotGrantIt() {
    SessionDriver d = secured(new InboundAuth(AUTH.users(), false, false, false));
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"), "MAIL FROM:<scan@corp.example>");
    assertThat(d.one("RCPT TO:<someone@elsewhere.example>")).isEqualTo(Replies.RELAY_DENIED);
    assertThat(d.one("RCPT TO:<someone@corp.example>")).isEqualTo(Replies.RECIPIENT_OK);
  }

  @Test
  void receivedHeaderSaysEsmtpsaForAnAuthenticatedTlsSession() {
    SessionDriver d = secured(AUTH);
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"), "MAIL FROM:<scan@corp.example>", "RCPT TO:<a@corp.example>", "DATA");
    Transition t = d.session.spoolOpened(d.state);
    String header = new String(((Effect.BeginData) t.effects().getFirst()).receivedHeader(), StandardCharsets.UTF_8);
    assertThat(header).contains(" with ESMTPSA id S1;");
  }

  @Test
  void authenticatedUserRuleConditionSeesTheAuthenticatedUser() {
    Router router = new Router(List.of(ConnectorScope.byDomain("internal", "corp.example")));
    Rule rule = new Rule("scanner-only-internal", 1, RuleMode.ENFORCE,
        List.of(new Condition.AuthenticatedAs(Set.of("scanner"))), List.of(),
        List.of(new Action.Reject(Replies.RELAY_DENIED)), false);
    RoutingSnapshot routing = new RoutingSnapshot(
        new RuleEngine(List.of(rule), router, new AcceptedDomains(List.of())), new RemoteDomains(List.of()));

    SessionDriver anonymous = secured(AUTH, routing);
    anonymous.send("MAIL FROM:<scan@corp.example>");
    assertThat(anonymous.one("RCPT TO:<a@corp.example>")).isEqualTo(Replies.RECIPIENT_OK);

    SessionDriver d = secured(AUTH, routing);
    d.send("AUTH PLAIN " + b64("\0scanner\0s3cret"), "MAIL FROM:<scan@corp.example>");
    assertThat(d.one("RCPT TO:<a@corp.example>")).isEqualTo(Replies.RELAY_DENIED);
  }

  @Test
  void authCommandNeverPrintsItsInitialResponse() {
    Command parsed = new CommandParser(Domain.of("relay.example")).parse("AUTH PLAIN " + b64("\0scanner\0s3cret"), false);
    assertThat(parsed).isInstanceOf(Command.Auth.class);
    assertThat(parsed.toString()).doesNotContain(b64("\0scanner\0s3cret"));
  }
}
