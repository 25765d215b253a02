package relay.server.main;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.SpoolImport;

/**
 * {@code relay queue import DIR}: takes a queue archive made by {@code relay queue export} into
 * this node's spool, to be delivered when the relay starts ({@link SpoolImport}; ADR 0009). The
 * relay must be stopped (the spool lock says so). Importing the same archive again queues nothing
 * twice; messages older than the import ledger remembers are reported, not imported. Exit codes: 0
 * done, 1 could not (nothing is imported from an archive that does not verify), 2 invalid
 * configuration.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Take the messages of an archive made by 'relay queue export' into this node's queue, each with its "
        + "queue id, connector, TLS requirement, attempts and recipients already delivered.",
        "The relay must be stopped; it delivers them when it starts. Every message is verified first (nothing is "
            + "imported from a damaged archive); importing the same archive again adds nothing.",
        "This node remembers its imports for 30 days after each message was queued (or twice the longest "
            + "max-lifetime, if longer); an older message is not imported, since it may have been delivered here already."})
final class QueueImportCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", description = "the archive directory")
  private Path from;

  @CommandLine.ParentCommand private QueueCommand queue;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return ArchiveStep.run("import", "imported", queue, spec,
        config -> new SpoolImport(config.spool().directory(), InstantSource.system(), longestLifetime(config)).from(from),
        (config, report, out) -> {
          Set<String> configured = config.outboundConnectors().stream().map(OutboundConnector::name)
              .collect(Collectors.toSet());
          report.byConnector().forEach((connector, count) -> {
            if (!connector.equals("-") && !configured.contains(connector)) {
              out.println("warning: connector '" + connector + "' is not in this node's configuration: its " + count
                  + " message(s) wait as held until a configuration with it is loaded");
            }
          });
        });
  }

  /** The longest {@code max-lifetime}, global or any connector's: the import ledger remembers twice that. */
  private static Duration longestLifetime(RelayConfig config) {
    Duration longest = config.delivery().retry().maxLifetime();
    for (RetrySchedule schedule : config.delivery().connectorRetry().values()) {
      longest = schedule.maxLifetime().compareTo(longest) > 0 ? schedule.maxLifetime() : longest;
    }
    return longest;
  }
}
