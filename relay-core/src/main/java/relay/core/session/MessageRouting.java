package relay.core.session;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.Replies;
import relay.core.routing.RemoteDomain;
import relay.core.routing.RoutingSnapshot;
import relay.core.routing.header.HeaderSection;
import relay.core.routing.rule.EnvelopeFacts;
import relay.core.routing.rule.MessageFacts;
import relay.core.routing.rule.MessagePart;
import relay.core.routing.rule.MessagePlan;
import relay.core.routing.rule.RecipientFate;
import relay.core.routing.rule.RecipientVerdict;
import relay.core.spool.SpoolPart;
import relay.core.tracking.TrackingEvent;

/**
 * The session's use of the routing snapshot: the verdict for one recipient at RCPT, and at the end
 * of DATA the plan for the whole message, with the remote-domain settings applied on top of the
 * rules.
 *
 * <p>Size: a part routed to a connector that cannot carry the message (a Microsoft Graph connector's
 * request cap, {@link RoutingSnapshot#connectorSizeLimit}) refuses the whole message with
 * {@code 552 5.3.4}, as does a part to an outside domain larger than that domain's maximum size:
 * the client learns it at once and nothing is queued, instead of a bounce later. Automatic
 * replies ({@code Auto-Submitted} other than {@code no}) and automatic forwards (recipients a rule
 * redirected) to a domain that blocks them are dropped with a tracking record while the rest is
 * delivered, as Exchange does: the sender of an automatic message is a machine that could do nothing
 * with a refusal.
 *
 * <p>Immutable and thread-safe.
 */
final class MessageRouting {

  private final SessionContext context;

  MessageRouting(SessionContext context) {
    this.context = context;
  }

  RoutingSnapshot snapshot() {
    return context.routing();
  }

  RecipientVerdict recipient(SessionState s, String inboundConnector, Recipient recipient) {
    return snapshot().rules().evaluateRecipient(
        facts(s.sender(), s.recipients(), inboundConnector, Optional.ofNullable(s.authenticatedUser())), recipient);
  }

  DataVerdict message(Envelope envelope, HeaderSection headers, long size, Optional<String> authenticatedUser) {
    EnvelopeFacts facts =
        facts(envelope.sender(), envelope.recipients(), envelope.client().inboundConnector(), authenticatedUser);
    MessagePlan plan = snapshot().rules().evaluateMessage(new MessageFacts(facts, headers, size));
    if (plan.rejected()) {
      return new DataVerdict.Reject(plan.rejection().orElseThrow(), "rejected by a rule at end of DATA", plan.trace());
    }
    Instant now = context.clock().instant();
    List<TrackingEvent.Discarded> discarded = new ArrayList<>();
    for (RecipientFate fate : plan.fates()) {
      switch (fate) {
        case RecipientFate.Discarded d ->
            discarded.add(new TrackingEvent.Discarded(now, context.sessionId(), d.recipient().address(), "rule '" + d.rule() + "'"));
        case RecipientFate.Unroutable u ->
            // Only recipients added by rules can be unroutable here; DSNs are not wired yet, so the
            // drop is recorded rather than lost silently.
            discarded.add(new TrackingEvent.Discarded(now, context.sessionId(), u.recipient().address(), "unroutable: " + u.reason()));
        case RecipientFate.Deliver d -> {}
        case RecipientFate.Redirected r -> {}
      }
    }
    boolean automatic = headers.first("Auto-Submitted").map(v -> !v.strip().toLowerCase(Locale.ROOT).startsWith("no")).orElse(false);
    List<SpoolPart> parts = new ArrayList<>();
    for (MessagePart part : plan.parts()) {
      OptionalLong connectorLimit = snapshot().connectorSizeLimit(part.connector());
      if (connectorLimit.isPresent() && size > connectorLimit.getAsLong()) {
        return new DataVerdict.Reject(Replies.tooBigForConnector(connectorLimit.getAsLong()),
            "larger than connector '" + part.connector() + "' can carry (" + connectorLimit.getAsLong() + " bytes)",
            plan.trace());
      }
      List<Recipient> kept = new ArrayList<>();
      for (Recipient r : part.recipients()) {
        Optional<RemoteDomain> remote = snapshot().remoteSettings(r.address().domain());
        if (remote.isEmpty()) {
          kept.add(r);
          continue;
        }
        RemoteDomain settings = remote.get();
        if (settings.maxMessageSize().isPresent() && size > settings.maxMessageSize().getAsLong()) {
          return new DataVerdict.Reject(Replies.MESSAGE_TOO_BIG,
              "larger than remote domain " + settings.pattern() + " allows", plan.trace());
        }
        if (automatic && !settings.allowAutoReplies()) {
          discarded.add(new TrackingEvent.Discarded(now, context.sessionId(), r.address(),
              "remote domain " + settings.pattern() + " blocks automatic replies"));
        } else if (redirected(plan, r.address()) && !settings.allowAutoForwarding()) {
          discarded.add(new TrackingEvent.Discarded(now, context.sessionId(), r.address(),
              "remote domain " + settings.pattern() + " blocks automatic forwarding"));
        } else {
          kept.add(r);
        }
      }
      if (!kept.isEmpty()) {
        Envelope copy = new Envelope(part.sender(), envelope.parameters(), kept, envelope.client(), envelope.receivedAt());
        parts.add(new SpoolPart(copy, part.connector(), part.requireTls(), part.headerEdits()));
      }
    }
    return new DataVerdict.Accept(parts, discarded, plan.trace());
  }

  private static boolean redirected(MessagePlan plan, MailPath address) {
    return plan.fates().stream().anyMatch(f -> f instanceof RecipientFate.Redirected r && r.to().equals(address));
  }

  private EnvelopeFacts facts(
      MailPath sender, List<Recipient> recipients, String inboundConnector, Optional<String> authenticatedUser) {
    return new EnvelopeFacts(
        sender, recipients, InetAddress.ofLiteral(context.clientAddress()), inboundConnector, authenticatedUser);
  }
}
