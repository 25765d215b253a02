package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.ReplyRule;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;
import relay.server.diagnose.Explanation;
import relay.server.diagnose.StatusExplainer;

/**
 * The Microsoft 365 code table of docs/explain.md says what Relay does with each code; the
 * classifier decides it. This keeps the two in step: every documented code (each end of a range)
 * is classified as documented, and every row of the classifier is documented.
 */
class DocumentedCodesTest {

  private static final Pattern ROW = Pattern.compile("^\\| ([245]\\.\\d+\\.\\d+)(?:-(\\d+))? \\| (.*) \\| (\\w+) \\|$");
  private static final Pattern CODE = Pattern.compile("\\(([2-5]\\d\\d)[;)]");

  private final ReplyClassifier classifier = ReplyClassifier.standard();

  record Row(String status, String last, String text, String action) {}

  private static List<Row> rows() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("../docs/explain.md"))) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.add(new Row(m.group(1), m.group(2), m.group(3), m.group(4)));
      }
    }
    return rows;
  }

  @Test
  void everyDocumentedCodeIsClassifiedAsDocumented() throws Exception {
    List<Row> rows = rows();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(20);
    StatusExplainer explainer = new StatusExplainer(classifier);
    for (Row row : rows) {
      EnhancedStatus first = EnhancedStatus.parse(row.status());
      List<EnhancedStatus> ends = row.last() == null ? List.of(first)
          : List.of(first, new EnhancedStatus(first.statusClass(), first.subject(), Integer.parseInt(row.last())));
      Matcher code = CODE.matcher(row.text());
      int reply = code.find() ? Integer.parseInt(code.group(1)) : first.statusClass() == 4 ? 451 : 550;
      // The text of the row is the reply's text, so "QuotaExceeded" rows match as Microsoft sends them.
      String text = row.text().contains("QuotaExceeded") ? "SubmissionQuotaExceededException" : row.text();
      for (EnhancedStatus status : ends) {
        Explanation e = explainer.explain(new SmtpReply(reply, status, List.of(text)));
        assertThat(e.relayAction()).as(row.status() + " -> " + status).isEqualTo(row.action());
        assertThat(e.rule()).as(status + " has a row with a note").isNotNull();
        assertThat(e.known()).isTrue();
      }
    }
  }

  @Test
  void everyRowOfTheClassifierIsDocumented() throws Exception {
    List<String> documented = rows().stream().map(r -> r.last() == null ? r.status() : r.status() + "-" + r.last()).toList();
    assertThat(documented).containsAll(classifier.rules().stream().map(ReplyRule::statusLabel).toList());
  }
}
