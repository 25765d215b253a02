package relay.server.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@code relay test-connector}: the connector tested and its steps in the order they
 * ran, as text for a terminal or as JSON for scripts. The worst step decides the verdict and the exit
 * status (0 pass, 1 warnings, 2 failure). Immutable.
 */
public record ProbeReport(String connector, String type, List<ProbeStep> steps) {

  public ProbeReport {
    steps = List.copyOf(steps);
  }

  public ProbeStep.Verdict verdict() {
    return steps.stream().map(ProbeStep::verdict).max(Comparator.naturalOrder()).orElse(ProbeStep.Verdict.PASS);
  }

  public int exitStatus() {
    return verdict().exitStatus();
  }

  /** The report for a terminal: one line per step, with the reply and the hint indented below it. */
  public String text() {
    StringBuilder out = new StringBuilder("connector ").append(connector).append(" (").append(type).append(")\n");
    for (ProbeStep s : steps) {
      out.append(String.format("[%-4s] %-18s %s%n", s.verdict(), s.name(), s.detail()));
      if (s.reply() != null) {
        out.append("       reply: ").append(s.reply()).append('\n');
      }
      if (s.hint() != null) {
        out.append("       fix:   ").append(s.hint()).append('\n');
      }
    }
    out.append("result: ").append(switch (verdict()) {
      case PASS -> "pass";
      case WARN -> "pass with warnings";
      case FAIL -> "FAIL";
    }).append('\n');
    return out.toString();
  }

  /** The report as one JSON object: connector, type, verdict, exitStatus and steps. */
  public String json() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode()
        .put("connector", connector)
        .put("type", type)
        .put("verdict", verdict().name().toLowerCase(Locale.ROOT))
        .put("exitStatus", exitStatus());
    ArrayNode array = root.putArray("steps");
    for (ProbeStep s : steps) {
      ObjectNode node = array.addObject()
          .put("step", s.name())
          .put("verdict", s.verdict().name().toLowerCase(Locale.ROOT))
          .put("detail", s.detail());
      if (s.reply() != null) {
        node.put("reply", s.reply());
      }
      if (s.hint() != null) {
        node.put("hint", s.hint());
      }
    }
    return root.toPrettyString();
  }
}
