package relay.server.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.ReplyRule;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * Turns what a bounce or a reply line says into {@link Explanation}s, asking the
 * {@link ReplyClassifier} (the one that decides deliveries) for the verdict and its note, so that
 * the explanation is never a second opinion.
 *
 * <p>A status without an SMTP reply (a DSN without Diagnostic-Code) is judged as the reply a server
 * would send with it: the reply code of the classifier's row for that status when the row names
 * one (Microsoft sends 4.3.2 with 432), else 250, 451 or 550. Immutable and thread-safe.
 */
public final class StatusExplainer {

  private final ReplyClassifier classifier;

  public StatusExplainer(ReplyClassifier classifier) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
  }

  /** One explanation for a reply line. */
  public Explanation explain(SmtpReply reply) {
    return explanation("reply", null, null, reply.status(), reply);
  }

  /**
   * One explanation per recipient block, then one per reply quoted in the text whose status no
   * block already explains (an NDR may show the upstream's reply only there).
   */
  public List<Explanation> explain(BounceMessage bounce) {
    List<Explanation> out = new ArrayList<>();
    Set<EnhancedStatus> seen = new HashSet<>();
    for (RecipientStatus r : bounce.recipients()) {
      Optional<SmtpReply> diagnosed = r.diagnosticCode() == null ? Optional.empty() : ReplyText.parse(r.diagnosticCode());
      EnhancedStatus status = r.status() == null ? null : ReplyText.findStatus(r.status()).orElse(null);
      if (status == null) {
        status = diagnosed.map(SmtpReply::status).orElse(null);
      }
      SmtpReply reply = diagnosed.orElse(null);
      if (reply == null) {
        if (status == null) {
          continue; // nothing to explain in this block
        }
        reply = synthesized(status);
      }
      seen.add(status);
      out.add(explanation(r.address(), r.action(), r.remoteHost(), status, reply));
    }
    for (SmtpReply quoted : bounce.quoted()) {
      if (seen.add(quoted.status())) {
        out.add(explanation("quoted in the text", null, null, quoted.status(), quoted));
      }
    }
    return out;
  }

  private Explanation explanation(String subject, String action, String remote, EnhancedStatus status, SmtpReply reply) {
    return new Explanation(subject, action, remote, status, reply, classifier.rule(reply).orElse(null),
        classifier.classify(reply));
  }

  private SmtpReply synthesized(EnhancedStatus status) {
    int code = classifier.rules().stream()
        .filter(rule -> rule.covers(status) && rule.code() != 0 && rule.textContains() == null)
        .mapToInt(ReplyRule::code).findFirst()
        .orElse(switch (status.statusClass()) {
          case 2 -> 250;
          case 4 -> 451;
          default -> 550;
        });
    return new SmtpReply(code, status, List.of("(no Diagnostic-Code: the reply is assumed)"));
  }
}
