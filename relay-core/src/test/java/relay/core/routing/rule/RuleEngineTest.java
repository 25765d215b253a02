package relay.core.routing.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static relay.core.routing.rule.RuleFixtures.engine;
import static relay.core.routing.rule.RuleFixtures.envelope;
import static relay.core.routing.rule.RuleFixtures.message;
import static relay.core.routing.rule.RuleFixtures.path;
import static relay.core.routing.rule.RuleFixtures.patterns;
import static relay.core.routing.rule.RuleFixtures.rcpt;
import static relay.core.routing.rule.RuleFixtures.rule;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.ConnectorScope;
import relay.core.routing.Router;
import relay.core.routing.RoutingProblem;
import relay.core.routing.header.HeaderEdit;

class RuleEngineTest {

  private static final Condition TO_PARTNER = new Condition.RecipientDomain(patterns("partner.example"));
  private static final Action TAG = new Action.EditHeader(new HeaderEdit.Add("X-Tag", "1"));

  private static List<String> connectorsOf(MessagePlan plan) {
    return plan.parts().stream().map(MessagePart::connector).toList();
  }

  @Test
  void withoutRulesEachRecipientRoutesByDomainAndTheMessageSplitsPerConnector() {
    MessagePlan plan = engine().evaluateMessage(message("s@corp.example", "a@corp.example", "b@partner.example", "c@fabrikam.com"));
    assertThat(plan.parts()).hasSize(2);
    assertThat(plan.parts().get(0).connector()).isEqualTo("m365");
    assertThat(plan.parts().get(0).recipients()).extracting(Recipient::address)
        .containsExactly(path("a@corp.example"), path("c@fabrikam.com"));
    assertThat(plan.parts().get(1).connector()).isEqualTo("partner");
    assertThat(plan.parts().get(1).recipients()).extracting(Recipient::address).containsExactly(path("b@partner.example"));
  }

  @Test
  void routeViaAppliesOnlyToTheRecipientsTheRuleSelected() {
    Rule secure = rule("Secure partner", 1, List.of(new Condition.RecipientAddress(patterns("b@*"))),
        new Action.RouteVia("secure"), new Action.RequireTls());
    MessagePlan plan = engine(secure).evaluateMessage(message("s@corp.example", "a@corp.example", "b@partner.example", "c@partner.example"));
    assertThat(plan.parts()).extracting(MessagePart::connector, MessagePart::requireTls)
        .containsExactly(
            tuple("m365", false),
            tuple("secure", true),
            tuple("partner", false));
    assertThat(plan.parts().get(1).recipients()).extracting(Recipient::address).containsExactly(path("b@partner.example"));
  }

  @Test
  void headerEditsAndSenderRewriteSplitPartsSoEachCopyCarriesOnlyItsOwnChanges() {
    Rule external = rule("Tag external", 1, List.of(new Condition.RecipientLocation(Location.OUTSIDE)),
        new Action.EditHeader(new HeaderEdit.PrependSubject("[EXT] ")),
        new Action.RewriteSender(path("noreply@corp.example")));
    MessagePlan plan = engine(external).evaluateMessage(message("scan@corp.example", "a@corp.example", "c@fabrikam.com"));
    assertThat(plan.parts()).hasSize(2);
    MessagePart inside = plan.parts().get(0);
    MessagePart outside = plan.parts().get(1);
    assertThat(inside.connector()).isEqualTo(outside.connector()).isEqualTo("m365");
    assertThat(inside.headerEdits()).isEmpty();
    assertThat(inside.sender()).isEqualTo(path("scan@corp.example"));
    assertThat(outside.headerEdits()).containsExactly(new HeaderEdit.PrependSubject("[EXT] "));
    assertThat(outside.sender()).isEqualTo(path("noreply@corp.example"));
  }

  @Test
  void rulesRunByPriorityAndTheLaterRouteWins() {
    Rule late = rule("late", 20, List.of(), new Action.RouteVia("partner"));
    Rule early = rule("early", 10, List.of(), new Action.RouteVia("secure"));
    MessagePlan plan = engine(late, early).evaluateMessage(message("s@corp.example", "a@corp.example"));
    assertThat(plan.trace().decisions()).extracting(RuleDecision::rule).containsExactly("early", "late");
    assertThat(connectorsOf(plan)).containsExactly("partner");
  }

  @Test
  void stopProcessingLeavesLaterRulesNotReached() {
    Rule first = new Rule("first", 1, RuleMode.ENFORCE, List.of(), List.of(), List.of(TAG), true);
    Rule second = rule("second", 2, List.of(), new Action.RouteVia("secure"));
    MessagePlan plan = engine(first, second).evaluateMessage(message("s@corp.example", "a@corp.example"));
    assertThat(plan.trace().decisions()).extracting(RuleDecision::outcome)
        .containsExactly(RuleOutcome.MATCHED, RuleOutcome.NOT_REACHED);
    assertThat(plan.trace().decision("first").orElseThrow().stoppedProcessing()).isTrue();
    assertThat(connectorsOf(plan)).containsExactly("m365");
  }

  @Test
  void aNonMatchingRuleWithStopProcessingDoesNotStop() {
    Rule first = new Rule("first", 1, RuleMode.ENFORCE, List.of(TO_PARTNER), List.of(), List.of(TAG), true);
    Rule second = rule("second", 2, List.of(), new Action.RouteVia("secure"));
    assertThat(connectorsOf(engine(first, second).evaluateMessage(message("s@corp.example", "a@corp.example"))))
        .containsExactly("secure");
  }

  @Test
  void allConditionsMustMatch() {
    Rule both = rule("both", 1, List.of(TO_PARTNER, new Condition.SenderDomain(patterns("fabrikam.com"))), TAG);
    MessagePlan plan = engine(both).evaluateMessage(message("s@corp.example", "b@partner.example"));
    assertThat(plan.trace().decision("both").orElseThrow().outcome()).isEqualTo(RuleOutcome.NOT_MATCHED);
  }

  @Test
  void aMessageExceptionSkipsTheRuleAndARecipientExceptionRemovesOnlyThoseRecipients() {
    Rule exceptFromCorp = new Rule("except sender", 1, RuleMode.ENFORCE, List.of(), 
        List.of(new Condition.SenderDomain(patterns("corp.example"))), List.of(new Action.RouteVia("secure")), false);
    MessagePlan skipped = engine(exceptFromCorp).evaluateMessage(message("s@corp.example", "a@corp.example"));
    assertThat(skipped.trace().decision("except sender").orElseThrow().outcome()).isEqualTo(RuleOutcome.EXCEPTED);
    assertThat(connectorsOf(skipped)).containsExactly("m365");

    Rule exceptBob = new Rule("except bob", 1, RuleMode.ENFORCE, List.of(),
        List.of(new Condition.RecipientAddress(patterns("bob@*"))), List.of(new Action.RouteVia("secure")), false);
    MessagePlan partial = engine(exceptBob).evaluateMessage(message("s@corp.example", "ann@corp.example", "bob@corp.example"));
    assertThat(partial.trace().decision("except bob").orElseThrow().recipients()).containsExactly(path("ann@corp.example"));
    assertThat(partial.fateOf(path("bob@corp.example")).orElseThrow())
        .isInstanceOfSatisfying(RecipientFate.Deliver.class, d -> assertThat(d.route().connector()).isEqualTo("m365"));
  }

  @Test
  void testModeRecordsWhatWouldHappenAndChangesNothing() {
    Rule trial = new Rule("trial", 1, RuleMode.TEST, List.of(TO_PARTNER), List.of(),
        List.of(new Action.RouteVia("secure"), Action.Reject.of(550, "5.7.1", "No"), new Action.Discard(), TAG,
            new Action.AddBcc(path("journal@corp.example")), new Action.RedirectTo(path("x@corp.example"))), true);
    Rule after = rule("after", 2, List.of(), new Action.RequireTls());
    MessageFacts facts = message("s@corp.example", "b@partner.example");
    MessagePlan plan = engine(trial, after).evaluateMessage(facts);
    MessagePlan baseline = engine(after).evaluateMessage(facts);
    assertThat(plan.rejected()).isFalse();
    assertThat(plan.fates()).isEqualTo(baseline.fates());
    assertThat(plan.added()).isEmpty();
    RuleDecision decision = plan.trace().decision("trial").orElseThrow();
    assertThat(decision.outcome()).isEqualTo(RuleOutcome.WOULD_MATCH);
    assertThat(decision.actions()).hasSize(6);
    assertThat(decision.describe()).startsWith("[1] trial: would match for <b@partner.example>; would route via secure");
    assertThat(plan.trace().decision("after").orElseThrow().outcome()).isEqualTo(RuleOutcome.MATCHED);
    assertThat(plan.trace().hits()).extracting(RuleDecision::rule).containsExactly("trial", "after");
  }

  @Test
  void aDisabledRuleIsSkippedAndRecorded() {
    Rule off = new Rule("off", 1, RuleMode.DISABLED, List.of(), List.of(), List.of(Action.Reject.of(550, "5.7.1", "No")), false);
    MessagePlan plan = engine(off).evaluateMessage(message("s@corp.example", "a@corp.example"));
    assertThat(plan.rejected()).isFalse();
    assertThat(plan.trace().decision("off").orElseThrow().outcome()).isEqualTo(RuleOutcome.DISABLED);
    assertThat(plan.trace().hits()).isEmpty();
  }

  @Test
  void aMessageRuleRejectRefusesTheWholeMessageAndStops() {
    Rule block = rule("block exe", 5, List.of(new Condition.SubjectContains(List.of("hello"))),
        Action.Reject.of(554, "5.7.1", "Message refused by policy"));
    Rule later = rule("later", 6, List.of(), TAG);
    MessagePlan plan = engine(block, later).evaluateMessage(message("s@corp.example", "a@corp.example", "b@partner.example"));
    assertThat(plan.rejection()).contains(SmtpReply.of(554, "5.7.1", "Message refused by policy"));
    assertThat(plan.parts()).isEmpty();
    assertThat(plan.trace().decision("later").orElseThrow().outcome()).isEqualTo(RuleOutcome.NOT_REACHED);
    assertThat(plan.explain()).last().isEqualTo("message rejected: 554 5.7.1 Message refused by policy");
  }

  @Test
  void rejectRepliesMustBeFailuresWithAnAgreeingEnhancedStatus() {
    assertThatThrownBy(() -> Action.Reject.of(250, "2.0.0", "Ok")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Action.Reject.of(550, "4.7.1", "No")).hasMessageContaining("does not agree");
    assertThatThrownBy(() -> Action.Reject.of(450, null, "No")).hasMessageContaining("enhanced status");
    assertThat(Action.Reject.of(450, "4.7.1", "Later").reply().isTransient()).isTrue();
  }

  @Test
  void discardSettlesTheSelectedRecipientsWithATraceRecord() {
    Rule drop = rule("drop partner", 1, List.of(TO_PARTNER), new Action.Discard());
    MessagePlan plan = engine(drop).evaluateMessage(message("s@corp.example", "a@corp.example", "b@partner.example"));
    assertThat(plan.fateOf(path("b@partner.example")).orElseThrow())
        .isEqualTo(new RecipientFate.Discarded(rcpt("b@partner.example"), "drop partner"));
    assertThat(connectorsOf(plan)).containsExactly("m365");
    assertThat(plan.explain()).contains("<b@partner.example> discarded by rule 'drop partner'");
  }

  @Test
  void redirectReplacesTheRecipientKeepsDsnParametersAndRoutesTheTarget() {
    Rule redirect = rule("to partner", 1, List.of(new Condition.RecipientAddress(patterns("ann@corp.example"))),
        TAG, new Action.RedirectTo(path("ann+copy@partner.example")));
    Recipient ann = new Recipient(path("ann@corp.example"), Set.of(DsnNotify.FAILURE), null);
    EnvelopeFacts env = envelope("s@corp.example").withRecipients(List.of(ann));
    MessagePlan plan = engine(redirect).evaluateMessage(message(env, "Subject: x\r\n", 10));
    assertThat(plan.fateOf(ann.address()).orElseThrow())
        .isEqualTo(new RecipientFate.Redirected(ann, path("ann+copy@partner.example"), "to partner"));
    Recipient target = plan.added().getFirst();
    assertThat(target.notifyOn()).containsExactly(DsnNotify.FAILURE);
    assertThat(target.originalRecipient()).isEqualTo("rfc822;ann@corp.example");
    assertThat(plan.parts()).singleElement().satisfies(p -> {
      assertThat(p.connector()).isEqualTo("partner");
      assertThat(p.recipients()).containsExactly(target);
      assertThat(p.headerEdits()).containsExactly(new HeaderEdit.Add("X-Tag", "1"));
    });
  }

  @Test
  void bccAddsAJournalRecipientThatAsksForNoDsnAndIsNotDuplicated() {
    Rule journal = rule("journal", 1, List.of(), new Action.AddBcc(path("journal@corp.example")), new Action.RouteVia("partner"));
    MessagePlan plan = engine(journal).evaluateMessage(message("s@corp.example", "a@corp.example", "b@corp.example"));
    assertThat(plan.added()).singleElement().satisfies(r -> {
      assertThat(r.address()).isEqualTo(path("journal@corp.example"));
      assertThat(r.notifyOn()).containsExactly(DsnNotify.NEVER);
    });
    assertThat(plan.parts()).extracting(MessagePart::connector).containsExactly("partner", "m365");
    assertThat(plan.parts().get(1).recipients()).extracting(Recipient::address).containsExactly(path("journal@corp.example"));
  }

  @Test
  void recipientsNoConnectorServesAreUnroutableAndListedForBouncing() {
    RuleEngine partnerOnly = new RuleEngine(
        List.of(rule("bcc", 1, List.of(), new Action.AddBcc(path("audit@elsewhere.example")))),
        new Router(List.of(ConnectorScope.byDomain("partner", "partner.example"))),
        RuleFixtures.ACCEPTED);
    MessagePlan plan = partnerOnly.evaluateMessage(message("s@corp.example", "b@partner.example"));
    assertThat(plan.unroutable()).singleElement().satisfies(u -> {
      assertThat(u.recipient().address()).isEqualTo(path("audit@elsewhere.example"));
      assertThat(u.reply()).isEqualTo(Replies.UNROUTABLE);
    });
    assertThat(plan.parts()).singleElement().extracting(MessagePart::connector).isEqualTo("partner");
  }

  @Test
  void atRcptAnEnvelopeRuleRejectsOnlyTheRecipientsItSelects() {
    Rule noPartner = rule("no partner", 1, List.of(TO_PARTNER), Action.Reject.of(550, "5.7.1", "Delivery not authorized"));
    RuleEngine engine = engine(noPartner);
    EnvelopeFacts env = envelope("s@corp.example");
    assertThat(engine.evaluateRecipient(env, rcpt("b@partner.example")))
        .isInstanceOfSatisfying(RecipientVerdict.Refuse.class, r -> {
          assertThat(r.reply()).isEqualTo(SmtpReply.of(550, "5.7.1", "Delivery not authorized"));
          assertThat(r.reason()).isEqualTo("rejected by rule 'no partner'");
        });
    assertThat(engine.evaluateRecipient(env, rcpt("a@corp.example")))
        .isInstanceOfSatisfying(RecipientVerdict.Accept.class, a -> assertThat(a.route().connector()).isEqualTo("m365"));
  }

  @Test
  void atRcptMessageRulesAreDeferredToTheEndOfData() {
    Rule subject = rule("subject", 1, List.of(new Condition.SubjectContains(List.of("x"))), Action.Reject.of(550, "5.7.1", "No"));
    RecipientVerdict verdict = engine(subject).evaluateRecipient(envelope("s@corp.example"), rcpt("a@corp.example"));
    assertThat(verdict).isInstanceOf(RecipientVerdict.Accept.class);
    assertThat(verdict.trace().decision("subject").orElseThrow().outcome()).isEqualTo(RuleOutcome.DEFERRED);
  }

  @Test
  void atRcptAnUnroutableRecipientOrRedirectTargetIsRefusedAndADiscardIsAccepted() {
    RuleEngine partnerOnly = new RuleEngine(
        List.of(rule("redirect", 1, List.of(new Condition.RecipientAddress(patterns("old@partner.example"))),
                new Action.RedirectTo(path("new@elsewhere.example"))),
            rule("drop", 2, List.of(new Condition.RecipientAddress(patterns("void@partner.example"))), new Action.Discard())),
        new Router(List.of(ConnectorScope.byDomain("partner", "partner.example"))),
        RuleFixtures.ACCEPTED);
    EnvelopeFacts env = envelope("s@corp.example");
    assertThat(partnerOnly.evaluateRecipient(env, rcpt("x@fabrikam.com")))
        .isInstanceOfSatisfying(RecipientVerdict.Refuse.class, r -> assertThat(r.reply()).isEqualTo(Replies.UNROUTABLE));
    assertThat(partnerOnly.evaluateRecipient(env, rcpt("old@partner.example")))
        .isInstanceOfSatisfying(RecipientVerdict.Refuse.class,
            r -> assertThat(r.reason()).isEqualTo("no outbound connector serves elsewhere.example"));
    assertThat(partnerOnly.evaluateRecipient(env, rcpt("void@partner.example")))
        .isEqualTo(new RecipientVerdict.Discard("drop", partnerOnly.evaluateRecipient(env, rcpt("void@partner.example")).trace()));
  }

  @Test
  void atRcptTheRecipientCountIncludesTheRecipientBeingEvaluated() {
    Rule many = rule("many", 1, List.of(new Condition.RecipientCountOver(2)), Action.Reject.of(452, "4.5.3", "Too many recipients"));
    RuleEngine engine = engine(many);
    assertThat(engine.evaluateRecipient(envelope("s@corp.example", "a@corp.example"), rcpt("b@corp.example")))
        .isInstanceOf(RecipientVerdict.Accept.class);
    assertThat(engine.evaluateRecipient(envelope("s@corp.example", "a@corp.example", "b@corp.example"), rcpt("c@corp.example")))
        .isInstanceOf(RecipientVerdict.Refuse.class);
  }

  @Test
  void explanationPrintsEveryRuleThenEveryRecipientsFate() {
    Rule tag = rule("Tag external", 1, List.of(new Condition.RecipientLocation(Location.OUTSIDE)),
        new Action.EditHeader(new HeaderEdit.PrependSubject("[EXT] ")));
    Rule off = new Rule("Old rule", 2, RuleMode.DISABLED, List.of(), List.of(), List.of(new Action.Discard()), false);
    MessagePlan plan = engine(tag, off).evaluateMessage(message("s@corp.example", "a@corp.example", "b@partner.example"));
    assertThat(plan.explain()).containsExactly(
        "[1] Tag external: matched for <b@partner.example>; prepend subject '[EXT] '",
        "[2] Old rule: disabled",
        "<a@corp.example> -> m365 (recipient domain matches *), from <s@corp.example>",
        "<b@partner.example> -> partner (recipient domain matches partner.example), from <s@corp.example>, 1 header edit(s)");
  }

  @Test
  void problemsNameDuplicateRulesPrioritiesAndUnknownConnectors() {
    RuleEngine bad = engine(
        rule("a", 1, List.of(), new Action.RouteVia("nowhere")),
        rule("a", 1, List.of(), TAG));
    assertThat(bad.problems()).extracting(RoutingProblem::toString).containsExactly(
        "rule 'a': routes via outbound connector 'nowhere', which does not exist",
        "rule 'a': is defined more than once",
        "rule 'a': has priority 1 like rule 'a'; priorities must be unique");
    assertThat(engine(rule("ok", 1, List.of(), new Action.RouteVia("secure"))).problems()).isEmpty();
  }

  @Test
  void insideAndOutsideTheOrganisationIsExposedForRelayRights() {
    RuleEngine engine = engine();
    assertThat(engine.isInside(path("a@eu.corp.example"))).isTrue();
    assertThat(engine.isInside(path("a@fabrikam.com"))).isFalse();
    assertThat(engine.isInside(MailPath.NULL)).isFalse();
  }
}
