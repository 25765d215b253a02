package relay.server.main;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;

/**
 * {@code relay check-config [FILE]}: validates a configuration without starting anything. Prints
 * every problem (file, line, path, hint) and exits 2, or prints a summary of what the relay would
 * do and exits 0.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, description = "Validate a configuration file and show what it sets up.")
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path file;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    RelayConfig config;
    try {
      config = ConfigLoader.load(Optional.ofNullable(file), System.getenv());
    } catch (InvalidConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    var out = spec.commandLine().getOut();
    out.println((file == null ? "embedded default" : file.toString()) + ": valid");
    out.println("data directory: " + config.home());
    config.listeners().forEach(l -> {
      out.println("listener " + l.name() + ": " + l.address().getHostAddress() + ":" + l.port() + (l.starttls() ? " with STARTTLS" : ""));
      l.inboundConnectors().forEach(c -> out.println("  inbound connector " + c.name() + ": clients " + c.clientNetworks()
          + (c.relayToAnyDomain() ? ", may relay to any domain" : ", may send to " + c.recipientDomains())
          + (c.requireTls() ? ", TLS required" : "")
          + (c.allowedSenderDomains().isEmpty() ? "" : ", senders from " + c.allowedSenderDomains())));
    });
    out.println("outbound connector: " + config.outboundConnectors());
    return 0;
  }
}
