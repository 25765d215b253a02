package relay.core.routing.rule;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.Route;
import relay.core.routing.Router;
import relay.core.routing.header.HeaderEdit;

/**
 * One run of the rules over one set of recipients: the mutable working state behind
 * {@link RuleEngine}'s two entry points. Recipients are "live" until a rule discards or redirects
 * them; every recipient ever seen ends with exactly one {@link RecipientFate}.
 *
 * <p>Not thread-safe: created, run and discarded by one thread within one engine call.
 */
final class Evaluation {

  /** What the rules decided so far for one live recipient. */
  private static final class Working {
    final Recipient recipient;
    String connector;
    String routingRule;
    MailPath sender;
    final List<HeaderEdit> edits = new ArrayList<>();
    boolean requireTls;

    Working(Recipient recipient, MailPath sender) {
      this.recipient = recipient;
      this.sender = sender;
    }
  }

  private final Conditions conditions;
  private final Router router;
  private final EnvelopeFacts envelope;
  private final MessageFacts message;
  private final Map<MailPath, Working> live = new LinkedHashMap<>();
  private final List<MailPath> order = new ArrayList<>();
  private final Map<MailPath, RecipientFate> settled = new LinkedHashMap<>();
  private final List<Recipient> added = new ArrayList<>();
  private final List<RuleDecision> decisions = new ArrayList<>();
  private SmtpReply rejection;
  private boolean stopped;

  /** {@code message} null: the envelope phase, where message rules are deferred. */
  Evaluation(Conditions conditions, Router router, EnvelopeFacts envelope, MessageFacts message, List<Recipient> recipients) {
    this.conditions = conditions;
    this.router = router;
    this.envelope = envelope;
    this.message = message;
    for (Recipient r : recipients) {
      if (!live.containsKey(r.address())) {
        live.put(r.address(), new Working(r, envelope.sender()));
        order.add(r.address());
      }
    }
  }

  MessagePlan run(List<Rule> rules) {
    for (Rule rule : rules) {
      decisions.add(decide(rule));
    }
    List<RecipientFate> fates = new ArrayList<>();
    for (MailPath address : order) {
      RecipientFate fate = settled.get(address);
      fates.add(fate != null ? fate : deliver(live.get(address)));
    }
    return new MessagePlan(Optional.ofNullable(rejection), fates, added, new DecisionTrace(decisions));
  }

  private RuleDecision decide(Rule rule) {
    if (stopped) {
      return RuleDecision.of(rule, RuleOutcome.NOT_REACHED);
    }
    if (rule.mode() == RuleMode.DISABLED) {
      return RuleDecision.of(rule, RuleOutcome.DISABLED);
    }
    if (message == null && rule.phase() == Phase.MESSAGE) {
      return RuleDecision.of(rule, RuleOutcome.DEFERRED);
    }
    List<Recipient> selected = List.copyOf(live.values().stream().map(w -> w.recipient).toList());
    for (Condition condition : rule.conditions()) {
      selected = selected.isEmpty() ? selected : conditions.select(condition, envelope, message, selected);
    }
    if (selected.isEmpty()) {
      return RuleDecision.of(rule, RuleOutcome.NOT_MATCHED);
    }
    for (Condition exception : rule.exceptions()) {
      Set<Recipient> excluded = new HashSet<>(conditions.select(exception, envelope, message, selected));
      selected = selected.stream().filter(r -> !excluded.contains(r)).toList();
      if (selected.isEmpty()) {
        return RuleDecision.of(rule, RuleOutcome.EXCEPTED);
      }
    }
    List<MailPath> addresses = selected.stream().map(Recipient::address).toList();
    if (rule.mode() == RuleMode.TEST) {
      return new RuleDecision(rule.name(), rule.priority(), rule.mode(), rule.phase(),
          RuleOutcome.WOULD_MATCH, addresses, rule.actions(), false);
    }
    for (Action action : rule.actions()) {
      apply(rule, action, addresses);
    }
    stopped = rule.stopProcessing() || rejection != null;
    return new RuleDecision(rule.name(), rule.priority(), rule.mode(), rule.phase(),
        RuleOutcome.MATCHED, addresses, rule.actions(), rule.stopProcessing());
  }

  private void apply(Rule rule, Action action, List<MailPath> selected) {
    List<Working> targets = selected.stream().map(live::get).filter(w -> w != null).toList();
    switch (action) {
      case Action.RouteVia r -> targets.forEach(w -> {
        w.connector = r.connector();
        w.routingRule = rule.name();
      });
      case Action.Reject r -> {
        if (rejection == null) {
          rejection = r.reply();
        }
      }
      case Action.Discard d -> targets.forEach(w -> settle(w, new RecipientFate.Discarded(w.recipient, rule.name())));
      case Action.EditHeader e -> targets.forEach(w -> w.edits.add(e.edit()));
      case Action.RedirectTo r -> targets.forEach(w -> redirect(w, r.address(), rule));
      case Action.AddBcc b -> {
        Recipient copy = new Recipient(b.address(), Set.of(DsnNotify.NEVER), null);
        add(new Working(copy, envelope.sender()));
      }
      case Action.RewriteSender s -> targets.forEach(w -> w.sender = s.address());
      case Action.RequireTls t -> targets.forEach(w -> w.requireTls = true);
    }
  }

  private void redirect(Working from, MailPath to, Rule rule) {
    if (from.recipient.address().equals(to)) {
      return;
    }
    settle(from, new RecipientFate.Redirected(from.recipient, to, rule.name()));
    String orcpt = from.recipient.originalRecipient() != null
        ? from.recipient.originalRecipient()
        : "rfc822;" + xtext(from.recipient.address().address());
    Working target = new Working(new Recipient(to, from.recipient.notifyOn(), orcpt), from.sender);
    target.edits.addAll(from.edits);
    target.requireTls = from.requireTls;
    add(target);
  }

  private void add(Working w) {
    MailPath address = w.recipient.address();
    if (live.containsKey(address) || settled.containsKey(address)) {
      return; // already a recipient (or already decided): one copy per address
    }
    live.put(address, w);
    order.add(address);
    added.add(w.recipient);
  }

  private void settle(Working w, RecipientFate fate) {
    live.remove(w.recipient.address());
    settled.put(w.recipient.address(), fate);
  }

  private RecipientFate deliver(Working w) {
    Optional<Route> route = w.connector != null
        ? router.routeVia(w.connector, w.routingRule)
        : router.route(w.recipient.address().domain());
    if (route.isEmpty()) {
      String reason = w.connector != null
          ? "rule '" + w.routingRule + "' routes via unknown connector '" + w.connector + "'"
          : "no outbound connector serves " + w.recipient.address().domain();
      return new RecipientFate.Unroutable(w.recipient, Replies.UNROUTABLE, reason);
    }
    return new RecipientFate.Deliver(w.recipient, route.get(), w.sender, w.edits, w.requireTls);
  }

  /** RFC 3461 section 4 xtext: {@code +}, {@code =}, controls and non-ASCII bytes as {@code +XX}. */
  private static String xtext(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 33 && c <= 126 && c != '+' && c != '=') {
        out.append((char) c);
      } else {
        out.append('+').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }
}
