package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.Domain;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.AcceptedDomain;
import relay.core.routing.AcceptedDomainType;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.ConnectorScope;
import relay.core.routing.DomainPattern;
import relay.core.routing.RemoteDomain;
import relay.core.routing.RemoteDomains;
import relay.core.routing.Router;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.header.HeaderEdit;
import relay.core.routing.header.HeaderSection;
import relay.core.routing.rule.Action;
import relay.core.routing.rule.Condition;
import relay.core.routing.rule.Rule;
import relay.core.routing.rule.RuleEngine;
import relay.core.routing.rule.RuleMode;
import relay.core.routing.rule.ValuePattern;
import relay.core.spool.SpoolPart;
import relay.core.metrics.SmtpStage;
import relay.core.tracking.TrackingEvent;

class SmtpSessionRoutingTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  private static final SessionLimits LIMITS =
      new SessionLimits(100_000, 10, 5, 512, 1000, Duration.ofMinutes(5), Duration.ofMinutes(10));
  /** May relay only to partner.example itself; corp.example is inside through the accepted domains. */
  private static final InboundConnector PRINTERS = new InboundConnector(
      "printers", List.of(ClientNetwork.parse("192.0.2.0/24")), false, Set.of(),
      false, Set.of(Domain.of("partner.example"), Domain.of("blocked.example"), Domain.of("small.example")),
      BareLineEndings.NORMALIZE, LIMITS);

  private static RoutingSnapshot snapshot(Rule... rules) {
    Router router = new Router(List.of(
        ConnectorScope.byDomain("internal", "corp.example"),
        ConnectorScope.byDomain("partner", "partner.example", "small.example"),
        ConnectorScope.byDomain("m365", "blocked.example")));
    AcceptedDomains accepted = new AcceptedDomains(List.of(AcceptedDomain.of("corp.example", AcceptedDomainType.AUTHORITATIVE)));
    RemoteDomains remote = new RemoteDomains(List.of(
        new RemoteDomain(DomainPattern.parse("blocked.example"), false, false, true, OptionalLong.empty()),
        new RemoteDomain(DomainPattern.parse("small.example"), true, true, true, OptionalLong.of(200))));
    return new RoutingSnapshot(new RuleEngine(List.of(rules), router, accepted), remote);
  }

  private static SessionDriver driver(RoutingSnapshot routing) {
    SessionDriver d = new SessionDriver(new SmtpSession(new SessionContext(
        "relay.example", Optional.of(PRINTERS), "192.0.2.10", 40000, false, InstantSource.fixed(NOW), "S1", routing)));
    d.send("EHLO printer", "MAIL FROM:<scanner@corp.example>");
    return d;
  }

  private static Rule rule(String name, int priority, Condition condition, Action action) {
    return new Rule(name, priority, RuleMode.ENFORCE, List.of(condition), List.of(), List.of(action), false);
  }

  private static Condition recipientDomain(String domain) {
    return new Condition.RecipientDomain(List.of(new ValuePattern.Exact(domain)));
  }

  /** Runs DATA to its end with this content; returns the replies and the effects of the end. */
  private static Transition endOfData(SessionDriver d, String content) {
    d.send("DATA");
    d.apply(d.session.spoolOpened(d.state));
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    HeaderCapture capture = new HeaderCapture(HeaderCapture.DEFAULT_LIMIT);
    capture.accept(bytes, 0, bytes.length);
    Transition t = d.session.dataEnd(d.state, new DataSummary(bytes.length, false, false, false), capture.section());
    d.apply(t);
    return t;
  }

  private static List<TrackingEvent> tracked(Transition t) {
    return t.effects().stream().filter(e -> e instanceof Effect.Track).map(e -> ((Effect.Track) e).event()).toList();
  }

  @Test
  void recipientInAnAcceptedDomainMayReceiveAlthoughTheConnectorDoesNotListIt() {
    SessionDriver d = driver(snapshot());
    assertThat(d.one("RCPT TO:<alice@corp.example>")).isEqualTo(Replies.RECIPIENT_OK);
    assertThat(d.one("RCPT TO:<bob@partner.example>")).isEqualTo(Replies.RECIPIENT_OK);
    assertThat(d.one("RCPT TO:<eve@elsewhere.example>")).isEqualTo(Replies.RELAY_DENIED);
  }

  @Test
  void recipientNoConnectorServesIsRefusedWith554Dot4Dot4() {
    Router router = new Router(List.of(ConnectorScope.byDomain("partner", "partner.example")));
    AcceptedDomains accepted = new AcceptedDomains(List.of(AcceptedDomain.of("corp.example", AcceptedDomainType.AUTHORITATIVE)));
    SessionDriver d = driver(new RoutingSnapshot(new RuleEngine(List.of(), router, accepted), new RemoteDomains(List.of())));

    SmtpReply reply = d.one("RCPT TO:<alice@corp.example>");

    assertThat(reply.toWire()).startsWith("550 5.4.4 ");
    assertThat(d.state.recipients()).isEmpty();
  }

  @Test
  void envelopeRuleRejectRefusesTheRecipientWithTheConfiguredReplyAndTracksIt() {
    SessionDriver d = driver(snapshot(
        rule("no partner", 1, recipientDomain("partner.example"), Action.Reject.of(550, "5.7.1", "Partner mail is not allowed"))));

    Transition t = d.session.command(d.state, "RCPT TO:<bob@partner.example>");
    d.apply(t);

    assertThat(t.replies()).hasSize(1);
    assertThat(t.replies().getFirst().toWire()).isEqualTo("550 5.7.1 Partner mail is not allowed\r\n");
    assertThat(tracked(t)).singleElement().isInstanceOfSatisfying(TrackingEvent.Rejected.class, r -> {
      assertThat(r.stage()).isEqualTo(SmtpStage.RCPT);
      assertThat(r.trace().hits()).extracting(h -> h.rule()).containsExactly("no partner");
    });
    assertThat(d.one("RCPT TO:<alice@corp.example>")).isEqualTo(Replies.RECIPIENT_OK);
  }

  @Test
  void discardedRecipientGets250ButIsNotInAnyPartAndIsTracked() {
    SessionDriver d = driver(snapshot(rule("drop partner", 1, recipientDomain("partner.example"), new Action.Discard())));
    assertThat(d.send("RCPT TO:<alice@corp.example>", "RCPT TO:<bob@partner.example>"))
        .containsExactly(Replies.RECIPIENT_OK, Replies.RECIPIENT_OK);

    Transition t = endOfData(d, "Subject: x\r\n\r\nbody\r\n");

    Effect.Commit commit = (Effect.Commit) t.effects().stream().filter(e -> e instanceof Effect.Commit).findFirst().orElseThrow();
    assertThat(commit.parts()).singleElement().satisfies(p -> {
      assertThat(p.connector()).isEqualTo("internal");
      assertThat(p.envelope().recipients()).extracting(r -> r.address().toString()).containsExactly("<alice@corp.example>");
    });
    assertThat(tracked(t)).filteredOn(e -> e instanceof TrackingEvent.Discarded)
        .singleElement().satisfies(e -> assertThat(((TrackingEvent.Discarded) e).why()).contains("drop partner"));
  }

  @Test
  void recipientsForTwoConnectorsBecomeTwoPartsWithTheirHeaderEditsAndTls() {
    SessionDriver d = driver(snapshot(
        new Rule("tag partner", 1, RuleMode.ENFORCE, List.of(recipientDomain("partner.example")), List.of(),
            List.of(new Action.EditHeader(new HeaderEdit.Add("X-Partner", "yes")), new Action.RequireTls()), false)));
    d.send("RCPT TO:<alice@corp.example>", "RCPT TO:<bob@partner.example>");

    Transition t = endOfData(d, "Subject: x\r\n\r\nbody\r\n");

    Effect.Commit commit = (Effect.Commit) t.effects().getLast();
    assertThat(commit.parts()).extracting(SpoolPart::connector).containsExactly("internal", "partner");
    assertThat(commit.parts()).extracting(SpoolPart::requireTls).containsExactly(false, true);
    assertThat(commit.parts().get(1).headerEdits()).containsExactly(new HeaderEdit.Add("X-Partner", "yes"));
    assertThat(commit.envelope().recipients()).hasSize(2);
    assertThat(t.replies()).isEmpty();
  }

  @Test
  void headerRuleRejectAtEndOfDataRefusesTheMessageAndQueuesNothing() {
    SessionDriver d = driver(snapshot(rule("no secrets", 1,
        new Condition.SubjectContains(List.of("secret")), Action.Reject.of(550, "5.7.1", "No secrets please"))));
    d.send("RCPT TO:<alice@corp.example>");

    Transition t = endOfData(d, "From: a@corp.example\r\nSubject: Top SECRET plans\r\n\r\nbody\r\n");

    assertThat(t.replies()).singleElement().satisfies(r -> assertThat(r.toWire()).isEqualTo("550 5.7.1 No secrets please\r\n"));
    assertThat(t.effects()).noneMatch(e -> e instanceof Effect.Commit).anyMatch(e -> e instanceof Effect.AbandonMessage);
    assertThat(tracked(t)).singleElement().isInstanceOfSatisfying(TrackingEvent.Rejected.class,
        r -> assertThat(r.stage()).isEqualTo(SmtpStage.DATA));
    assertThat(d.state.phase()).isEqualTo(SessionState.Phase.COMMANDS);
    assertThat(d.state.inTransaction()).isFalse();
  }

  @Test
  void headerRuleSeesASubjectSplitAcrossBdatChunks() {
    SessionDriver d = driver(snapshot(rule("no secrets", 1,
        new Condition.SubjectContains(List.of("secret")), Action.Reject.of(550, "5.7.1", "No secrets please"))));
    d.send("RCPT TO:<alice@corp.example>");
    String[] chunks = {"From: a@corp.example\r\nSubj", "ect: Top SEC", "RET plans\r", "\n\r\nbody\r\n"};
    HeaderCapture capture = new HeaderCapture(HeaderCapture.DEFAULT_LIMIT);
    long total = 0;
    Transition t = null;
    for (int i = 0; i < chunks.length; i++) {
      byte[] bytes = chunks[i].getBytes(StandardCharsets.US_ASCII);
      boolean last = i == chunks.length - 1;
      d.send("BDAT " + bytes.length + (last ? " LAST" : ""));
      if (i == 0) {
        d.apply(d.session.spoolOpened(d.state));
      }
      capture.accept(bytes, 0, bytes.length);
      total += bytes.length;
      t = d.session.chunkReceived(d.state, new DataSummary(total, false, false, false),
          last ? capture.section() : HeaderSection.EMPTY);
      d.apply(t);
    }

    assertThat(t.replies()).singleElement().satisfies(r -> assertThat(r.toWire()).isEqualTo("550 5.7.1 No secrets please\r\n"));
    assertThat(t.effects()).noneMatch(e -> e instanceof Effect.Commit).anyMatch(e -> e instanceof Effect.AbandonMessage);
    assertThat(tracked(t)).singleElement().isInstanceOfSatisfying(TrackingEvent.Rejected.class,
        r -> assertThat(r.stage()).isEqualTo(SmtpStage.DATA));
    assertThat(d.state.chunking()).isEqualTo(Chunking.NONE);
  }

  @Test
  void headerRuleThatDoesNotMatchLetsTheMessageThrough() {
    SessionDriver d = driver(snapshot(rule("no secrets", 1,
        new Condition.SubjectContains(List.of("secret")), Action.Reject.of(550, "5.7.1", "No secrets please"))));
    d.send("RCPT TO:<alice@corp.example>");

    Transition t = endOfData(d, "Subject: holiday photos\r\n\r\nbody\r\n");

    assertThat(t.effects().getLast()).isInstanceOf(Effect.Commit.class);
  }

  @Test
  void partLargerThanItsRemoteDomainAllowsIsRefusedWith552() {
    SessionDriver d = driver(snapshot());
    d.send("RCPT TO:<alice@corp.example>", "RCPT TO:<bob@small.example>");

    Transition t = endOfData(d, "Subject: big\r\n\r\n" + "x".repeat(300) + "\r\n");

    assertThat(t.replies()).singleElement().satisfies(r -> assertThat(r.toWire()).startsWith("552 5.3.4 "));
    assertThat(t.effects()).noneMatch(e -> e instanceof Effect.Commit);
  }

  @Test
  void aPartRoutedToAConnectorThatCannotCarryItRefusesTheWholeMessageWithTheLimit() {
    RoutingSnapshot base = snapshot();
    SessionDriver d = driver(new RoutingSnapshot(base.rules(), base.remoteDomains(), java.util.Map.of("m365", 100L)));
    d.send("RCPT TO:<alice@corp.example>", "RCPT TO:<carol@blocked.example>");

    Transition t = endOfData(d, "Subject: scan\r\n\r\n" + "x".repeat(150) + "\r\n");

    assertThat(t.replies()).singleElement().satisfies(r ->
        assertThat(r.toWire()).isEqualTo("552 5.3.4 Message too big for this route: at most 100 bytes\r\n"));
    assertThat(t.effects()).noneMatch(e -> e instanceof Effect.Commit);
  }

  @Test
  void aDeclaredSizeOverTheRoutesConnectorLimitIsRefusedAtRcptForThatRecipientOnly() {
    RoutingSnapshot base = snapshot();
    SessionDriver d = new SessionDriver(new SmtpSession(new SessionContext("relay.example", Optional.of(PRINTERS),
        "192.0.2.10", 40000, false, InstantSource.fixed(NOW),
        "S1", new RoutingSnapshot(base.rules(), base.remoteDomains(), java.util.Map.of("m365", 100L)))));
    d.send("EHLO printer", "MAIL FROM:<scanner@corp.example> SIZE=5000");

    assertThat(d.one("RCPT TO:<carol@blocked.example>").toWire())
        .isEqualTo("552 5.3.4 Message too big for this route: at most 100 bytes\r\n");
    assertThat(d.one("RCPT TO:<alice@corp.example>")).isEqualTo(Replies.RECIPIENT_OK);
  }

  @Test
  void aMessageWithinTheConnectorsLimitIsQueued() {
    RoutingSnapshot base = snapshot();
    SessionDriver d = driver(new RoutingSnapshot(base.rules(), base.remoteDomains(), java.util.Map.of("m365", 1000L)));
    d.send("RCPT TO:<carol@blocked.example>");

    Transition t = endOfData(d, "Subject: scan\r\n\r\n" + "x".repeat(150) + "\r\n");

    assertThat(t.effects()).anyMatch(e -> e instanceof Effect.Commit);
  }

  @Test
  void automaticReplyToARemoteDomainThatBlocksItIsDroppedForThatRecipientOnly() {
    SessionDriver d = driver(snapshot());
    d.send("RCPT TO:<alice@corp.example>", "RCPT TO:<carol@blocked.example>");

    Transition t = endOfData(d, "Auto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nbody\r\n");

    Effect.Commit commit = (Effect.Commit) t.effects().getLast();
    assertThat(commit.parts()).singleElement().satisfies(p -> assertThat(p.connector()).isEqualTo("internal"));
    assertThat(tracked(t)).filteredOn(e -> e instanceof TrackingEvent.Discarded).singleElement()
        .satisfies(e -> assertThat(((TrackingEvent.Discarded) e).why()).contains("automatic replies"));
  }

  @Test
  void everyRecipientDiscardedStillGets250AndNothingIsCommitted() {
    SessionDriver d = driver(snapshot(rule("drop all", 1, recipientDomain("corp.example"), new Action.Discard())));
    d.send("RCPT TO:<alice@corp.example>");

    Transition t = endOfData(d, "Subject: x\r\n\r\nbody\r\n");

    assertThat(t.replies()).singleElement().satisfies(r -> assertThat(r.toWire()).startsWith("250 2.0.0 "));
    assertThat(t.effects()).noneMatch(e -> e instanceof Effect.Commit).anyMatch(e -> e instanceof Effect.AbandonMessage);
  }

  @Test
  void headerCaptureStopsAtTheBlankLine() {
    HeaderCapture capture = new HeaderCapture(1024);
    byte[] message = "Subject: a\r\nX-B: c\r\n\r\nSubject: in the body\r\n".getBytes(StandardCharsets.US_ASCII);
    capture.accept(message, 0, 5);
    capture.accept(message, 5, message.length - 5);

    assertThat(capture.size()).isEqualTo("Subject: a\r\nX-B: c\r\n\r\n".length());
    assertThat(capture.section().complete()).isTrue();
    assertThat(capture.section().values("Subject")).containsExactly("a");
  }

  @Test
  void headerCaptureNeverKeepsMoreThanItsLimit() {
    HeaderCapture capture = new HeaderCapture(100);
    byte[] endless = ("X-Long: " + "y".repeat(10_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    capture.accept(endless, 0, endless.length);
    capture.accept(endless, 0, endless.length);

    assertThat(capture.size()).isEqualTo(100);
    assertThat(capture.section().complete()).isFalse();
  }
}
