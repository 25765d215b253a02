package relay.core.routing.rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.Replies;
import relay.core.routing.AcceptedDomains;
import relay.core.routing.Router;
import relay.core.routing.RoutingProblem;

/**
 * Runs the mail-flow rules and routes recipients. Two entry points, one per SMTP moment:
 *
 * <ol>
 *   <li>{@link #evaluateRecipient} at each RCPT: envelope-phase rules only (message rules are
 *       recorded as deferred), for this one recipient; a reject or an unroutable destination is
 *       refused in-session.
 *   <li>{@link #evaluateMessage} at the end of DATA, before 250: every rule over the final
 *       envelope, header section and size, giving the authoritative {@link MessagePlan}. Envelope
 *       rules decide as they did at RCPT (their inputs are unchanged, and a recipient count only
 *       grows), so only message rules can change the outcome; a reject then refuses the whole
 *       message.
 * </ol>
 *
 * <p>Rules run in priority order (lower first; equal priorities, a configuration error reported by
 * {@link #problems()}, keep list order). "Stop processing" and an enforced reject end the run; later
 * rules are recorded as not reached. When two rules route the same recipient, the later one wins,
 * as in Exchange, where later rules act on what earlier ones left.
 *
 * <p>Immutable and thread-safe: build a new engine when the configuration changes.
 */
public final class RuleEngine {

  private final List<Rule> rules;
  private final Router router;
  private final AcceptedDomains accepted;
  private final Conditions conditions;

  public RuleEngine(List<Rule> rules, Router router, AcceptedDomains accepted) {
    this.rules = rules.stream().sorted(Comparator.comparingInt(Rule::priority)).toList();
    this.router = router;
    this.accepted = accepted;
    this.conditions = new Conditions(accepted);
  }

  /** The rules in the order they run. */
  public List<Rule> rules() {
    return rules;
  }

  public Router router() {
    return router;
  }

  public AcceptedDomains acceptedDomains() {
    return accepted;
  }

  /** True when the address is inside the organisation (for relay rights and explanations). */
  public boolean isInside(MailPath address) {
    return accepted.isInside(address);
  }

  /** The verdict for one recipient at RCPT; {@code facts.recipients()} are those accepted so far. */
  public RecipientVerdict evaluateRecipient(EnvelopeFacts facts, Recipient recipient) {
    List<Recipient> all = new ArrayList<>(facts.recipients());
    if (all.stream().noneMatch(r -> r.address().equals(recipient.address()))) {
      all.add(recipient);
    }
    MessagePlan plan =
        new Evaluation(conditions, router, facts.withRecipients(all), null, List.of(recipient)).run(rules);
    DecisionTrace trace = plan.trace();
    if (plan.rejected()) {
      return new RecipientVerdict.Refuse(plan.rejection().orElseThrow(), "rejected by rule '" + rejectingRule(trace) + "'", trace);
    }
    MailPath address = recipient.address();
    for (int hop = 0; hop <= plan.fates().size(); hop++) {
      RecipientFate fate = plan.fateOf(address).orElseThrow();
      switch (fate) {
        case RecipientFate.Deliver d -> {
          return new RecipientVerdict.Accept(d.route(), trace);
        }
        case RecipientFate.Discarded d -> {
          return new RecipientVerdict.Discard(d.rule(), trace);
        }
        case RecipientFate.Unroutable u -> {
          return new RecipientVerdict.Refuse(u.reply(), u.reason(), trace);
        }
        case RecipientFate.Redirected r -> address = r.to();
      }
    }
    // Unreachable: a redirect goes to a new address each time, so the chain ends within the fates.
    return new RecipientVerdict.Refuse(Replies.UNROUTABLE, "redirect loop", trace);
  }

  /** The plan for a whole message at the end of DATA. */
  public MessagePlan evaluateMessage(MessageFacts facts) {
    return new Evaluation(conditions, router, facts.envelope(), facts, facts.envelope().recipients()).run(rules);
  }

  private static String rejectingRule(DecisionTrace trace) {
    return trace.decisions().stream()
        .filter(d -> d.outcome() == RuleOutcome.MATCHED)
        .filter(d -> d.actions().stream().anyMatch(a -> a instanceof Action.Reject))
        .map(RuleDecision::rule)
        .findFirst()
        .orElse("?");
  }

  /**
   * Every configuration mistake at once: rules sharing a name or a priority, a rule routing via a
   * connector that does not exist, and the router's and accepted domains' own problems.
   */
  public List<RoutingProblem> problems() {
    List<RoutingProblem> problems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<Integer, String> priorities = new HashMap<>();
    for (Rule rule : rules) {
      String subject = "rule '" + rule.name() + "'";
      if (!names.add(rule.name())) {
        problems.add(new RoutingProblem(subject, "is defined more than once"));
      }
      String other = priorities.putIfAbsent(rule.priority(), rule.name());
      if (other != null) {
        problems.add(new RoutingProblem(subject,
            "has priority " + rule.priority() + " like rule '" + other + "'; priorities must be unique"));
      }
      for (Action action : rule.actions()) {
        if (action instanceof Action.RouteVia r && !router.knows(r.connector())) {
          problems.add(new RoutingProblem(subject,
              "routes via outbound connector '" + r.connector() + "', which does not exist"));
        }
      }
    }
    problems.addAll(router.problems());
    problems.addAll(accepted.problems());
    return List.copyOf(problems);
  }
}
