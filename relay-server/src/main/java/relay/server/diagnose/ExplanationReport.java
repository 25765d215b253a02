package relay.server.diagnose;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import relay.core.delivery.ReplyNote;
import relay.core.reply.EnhancedStatus;

/**
 * Writes {@link Explanation}s for people (indented text, one section per status) or for programs
 * (one JSON object). Stateless apart from the mapper it is given.
 */
public final class ExplanationReport {

  private final ObjectMapper json;

  public ExplanationReport(ObjectMapper json) {
    this.json = json;
  }

  /** The text report. */
  public void text(PrintWriter out, String reportingMta, List<Explanation> explanations) {
    if (reportingMta != null) {
      out.println("reported by " + reportingMta);
    }
    for (Explanation e : explanations) {
      StringBuilder head = new StringBuilder(e.subject());
      if (e.action() != null) {
        head.append("  action ").append(e.action());
      }
      if (e.remoteMta() != null) {
        head.append("  from ").append(e.remoteMta());
      }
      out.println(head);
      out.println("  reply:     " + e.reply());
      EnhancedStatus status = e.status();
      ReplyNote note = e.rule() == null ? null : e.rule().note();
      if (status == null) {
        out.println("  status:    none; the reply code says " + codeMeaning(e.reply().code()));
      } else {
        out.println("  status:    " + status + " " + StandardStatus.classMeaning(status));
        out.println("             " + StandardStatus.subjectMeaning(status) + ": "
            + StandardStatus.detailMeaning(status).orElse("detail " + status.detail() + " is not a standard code"
                + (note != null && e.rule().covers(status) ? " (it is Microsoft's own)" : "")));
      }
      if (note != null) {
        out.println("  microsoft: " + note.title() + " (" + e.rule().statusLabel() + ")");
        out.println("  cause:     " + note.cause());
        out.println("  fix:       " + note.fix());
      }
      out.println("  relay:     " + e.relayAction() + ": " + e.relayMeaning());
      if (!e.known()) {
        out.println("  unknown:   neither the standard nor Microsoft's table explains " + status);
      }
      out.println();
    }
  }

  /** The JSON report: {@code {"reportingMta": ..., "statuses": [...], "unknown": n}}. */
  public String json(String reportingMta, List<Explanation> explanations) {
    ObjectNode root = json.createObjectNode();
    root.put("reportingMta", reportingMta);
    ArrayNode statuses = root.putArray("statuses");
    for (Explanation e : explanations) {
      ObjectNode s = statuses.addObject();
      s.put("subject", e.subject());
      s.put("action", e.action());
      s.put("remoteMta", e.remoteMta());
      s.put("reply", e.reply().toString());
      s.put("code", e.reply().code());
      if (e.status() != null) {
        s.put("status", e.status().toString());
        s.put("class", StandardStatus.classMeaning(e.status()));
        s.put("subjectMeaning", StandardStatus.subjectMeaning(e.status()));
        s.put("detail", StandardStatus.detailMeaning(e.status()).orElse(null));
      } else {
        s.putNull("status");
      }
      if (e.rule() != null && e.rule().note() != null) {
        ObjectNode ms = s.putObject("microsoft");
        ms.put("codes", e.rule().statusLabel());
        ms.put("title", e.rule().note().title());
        ms.put("cause", e.rule().note().cause());
        ms.put("fix", e.rule().note().fix());
      }
      ObjectNode relay = s.putObject("relay");
      relay.put("meaning", e.verdict().name());
      relay.put("action", e.relayAction());
      relay.put("explanation", e.relayMeaning());
      s.put("known", e.known());
    }
    root.put("unknown", explanations.stream().filter(e -> !e.known()).count());
    try {
      return json.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }

  private static String codeMeaning(int code) {
    return switch (code / 100) {
      case 2 -> "success";
      case 3 -> "go on";
      case 4 -> "transient failure";
      default -> "permanent failure";
    };
  }
}
