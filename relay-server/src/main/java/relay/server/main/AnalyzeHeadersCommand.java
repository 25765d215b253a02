package relay.server.main;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.core.routing.header.HeaderSection;
import relay.server.diagnose.HeaderAnalysis;
import relay.server.diagnose.HeaderReport;

/**
 * {@code relay analyze-headers}: reads a message's header section (a whole message or the headers
 * alone, from a file or standard input) and shows its Received chain oldest first with each hop's
 * delay and share, the authentication results and Microsoft's anti-spam verdicts, like Microsoft's
 * Message Header Analyzer. Exit codes: 0 nothing to warn about, 1 warnings (clock skew, undated
 * hops, failed authentication, spam verdicts), 2 unreadable input or no header fields. Single
 * use, one thread (picocli makes one per run).
 */
@Command(name = "analyze-headers", mixinStandardHelpOptions = true,
    description = {"Analyze a message's header: the Received chain oldest first with each hop's delay, clock skew, "
        + "SPF/DKIM/DMARC/ARC results and Microsoft's anti-spam verdicts (SCL, SFV, CAT, BCL...)."},
    footer = {"", "Examples:", "  relay analyze-headers message.eml", "  pbpaste | relay analyze-headers - --json"})
final class AnalyzeHeadersCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "FILE|-", description = "a message or header file; - or nothing for standard input")
  private String input;

  @Option(names = "--json", description = "one JSON object")
  private boolean json;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;

  AnalyzeHeadersCommand() {
    this(System.in);
  }

  AnalyzeHeadersCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean standardInput = input == null || input.equals("-");
    byte[] bytes;
    try {
      bytes = standardInput ? stdin.readAllBytes() : Files.readAllBytes(Path.of(input));
    } catch (IOException | RuntimeException e) {
      err.println("relay analyze-headers: cannot read " + input + ": " + e.getMessage());
      return 2;
    }
    // Copied from a mail client, headers often start with blank lines: skip them.
    int start = 0;
    while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n')) {
      start++;
    }
    HeaderSection headers = HeaderSection.parse(Arrays.copyOfRange(bytes, start, bytes.length));
    if (headers.fields().stream().noneMatch(f -> !f.name().isEmpty())) {
      err.println("relay analyze-headers: no header fields in " + (standardInput ? "standard input" : input));
      return 2;
    }
    HeaderAnalysis analysis = HeaderAnalysis.of(headers);
    HeaderReport report = new HeaderReport(new ObjectMapper());
    if (json) {
      out.println(report.json(analysis));
    } else {
      report.text(out, analysis);
    }
    out.flush();
    return analysis.warnings().isEmpty() ? 0 : 1;
  }
}
