package relay.server.main;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;

/**
 * {@code relay check-config [FILE | --config FILE]}: validates a configuration without starting
 * anything. Prints every problem (file, line, path, hint), including a listener port already in use
 * on this machine by something other than a running Relay, and exits 2; or prints what the relay would do (who may send what, the routing table,
 * the domains and the rules) and exits 0.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, description = "Validate a configuration file and show what it sets up.")
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path file;

  // The same option as the main command and route take: both spellings work.
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (as FILE)")
  private Path configOption;

  @Option(names = "--no-port-check",
      description = "do not try binding the listener ports (when checking on another machine than the relay's, e.g. in CI)")
  private boolean noPortCheck;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  @Override
  public Integer call() {
    if (file != null && configOption != null && !file.equals(configOption)) {
      spec.commandLine().getErr().println("relay check-config: give the file once, as FILE or as --config");
      return 2;
    }
    Path file = this.file != null ? this.file : configOption;
    RelayConfig config;
    try {
      config = ConfigLoader.load(Optional.ofNullable(file), main.environment(), !noPortCheck);
    } catch (InvalidConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    var out = spec.commandLine().getOut();
    out.println((file == null ? "embedded default" : file.toString()) + ": valid");
    new RoutingReport(config).print(out);
    out.flush();
    return 0;
  }
}
