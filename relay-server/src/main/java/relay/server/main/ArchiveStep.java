package relay.server.main;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;
import relay.core.spool.ArchiveReport;

/**
 * What {@code relay queue export} and {@code import} have in common: read the configuration (exit
 * 2 when it is invalid), work on its spool (exit 1 with the reason when that fails), print what
 * moved ({@link ArchiveText}) and what the command adds to it (exit 0).
 */
final class ArchiveStep {

  private ArchiveStep() {}

  /** The work on the spool. */
  interface Work {
    ArchiveReport on(RelayConfig config) throws IOException;
  }

  /** What the command prints after the summary. */
  interface Epilogue {
    void print(RelayConfig config, ArchiveReport report, PrintWriter out);
  }

  static int run(String command, String verb, QueueCommand queue, CommandSpec spec, Work work, Epilogue epilogue) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RelayConfig config;
    try {
      config = ConfigLoader.loadForRouting(queue.configFile(), queue.environment());
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    long start = System.nanoTime();
    ArchiveReport report;
    try {
      report = work.on(config);
    } catch (IOException e) {
      err.println("relay queue " + command + ": " + e.getMessage());
      return 1;
    }
    out.print(ArchiveText.summary(verb, report, Duration.ofNanos(System.nanoTime() - start)));
    epilogue.print(config, report, out);
    out.flush();
    return 0;
  }
}
