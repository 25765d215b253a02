package relay.server.main;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.core.delivery.ReplyClassifier;
import relay.core.reply.SmtpReply;
import relay.server.diagnose.BounceMessage;
import relay.server.diagnose.Explanation;
import relay.server.diagnose.ExplanationReport;
import relay.server.diagnose.ReplyText;
import relay.server.diagnose.StatusExplainer;

/**
 * {@code relay explain}: explains the statuses of a bounce (an RFC 3464 DSN, a Microsoft 365 NDR, a
 * Postfix bounce) or of one reply line: the standard meaning, Microsoft 365's own, and what Relay
 * does with such a reply, as {@link ReplyClassifier} decides it. Reads a file, standard input
 * ({@code -} or nothing) or the argument itself when it is a reply. Exit codes: 0 every status
 * explained, 1 a status is unknown, 2 unreadable input or no status in it. Single use, one thread
 * (picocli makes one per run).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Explain a bounce (DSN / NDR) or an SMTP reply: the standard meaning of each status, "
        + "Microsoft 365's cause and fix, and what Relay does with it (deliver, retry, defer, bounce, hold)."},
    footer = {"", "Examples:", "  relay explain bounce.eml",
        "  relay explain '550 5.7.60 SMTP; Client does not have permissions to send as this sender'",
        "  relay explain - --json < ndr.eml"})
final class ExplainCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "FILE|-|REPLY",
      description = "a message file, - for standard input (the default), or a reply line such as '550 5.1.1 User unknown'")
  private String input;

  @Option(names = "--json", description = "one JSON object")
  private boolean json;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;

  ExplainCommand() {
    this(System.in);
  }

  ExplainCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StatusExplainer explainer = new StatusExplainer(ReplyClassifier.standard());
    Optional<SmtpReply> line = input == null || input.equals("-") ? Optional.empty() : ReplyText.parse(input);
    List<Explanation> explanations;
    String reportingMta = null;
    if (line.isPresent() && !Files.exists(Path.of(input))) {
      explanations = List.of(explainer.explain(line.get()));
    } else {
      String text;
      try {
        text = read();
      } catch (IOException | RuntimeException e) {
        err.println("relay explain: cannot read " + input + ": " + e.getMessage());
        return 2;
      }
      Optional<SmtpReply> single = text.strip().lines().count() == 1 ? ReplyText.parse(text) : Optional.empty();
      if (single.isPresent()) {
        explanations = List.of(explainer.explain(single.get()));
      } else {
        BounceMessage bounce = BounceMessage.parse(text);
        reportingMta = bounce.reportingMta();
        explanations = explainer.explain(bounce);
      }
    }
    if (explanations.isEmpty()) {
      err.println("relay explain: no delivery status and no SMTP reply with an enhanced status found in "
          + (input == null || input.equals("-") ? "standard input" : input));
      return 2;
    }
    ExplanationReport report = new ExplanationReport(new ObjectMapper());
    if (json) {
      out.println(report.json(reportingMta, explanations));
    } else {
      report.text(out, reportingMta, explanations);
    }
    out.flush();
    return explanations.stream().allMatch(Explanation::known) ? 0 : 1;
  }

  private String read() throws IOException {
    byte[] bytes = input == null || input.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(input));
    // Status fields are ASCII; ISO-8859-1 reads any byte, so an 8-bit body cannot stop the reading.
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
