package relay.server.main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The relay's command line run in-process as a user would type it: its exit code and what it
 * printed.
 */
record CommandRun(int exit, String out, String err) {

  /** Runs {@code args} with an empty environment. */
  static CommandRun of(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = into(out, err, new Main(Map.of()), args.toArray(String[]::new));
    return new CommandRun(exit, out.toString(), err.toString());
  }

  /** Runs {@code args} on {@code main}, adding what it prints to {@code out} and {@code err}. */
  static int into(StringWriter out, StringWriter err, Main main, String... args) {
    CommandLine command = new CommandLine(main);
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    return command.execute(args);
  }
}
