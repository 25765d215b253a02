package relay.server.main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import relay.core.spool.SpoolExport;
import relay.server.inbound.IntakeSwitch;

/**
 * {@code relay queue export --to DIR}: moves every message of a stopped relay's spool into a queue
 * archive for another node to import ({@link SpoolExport}; ADR 0009). Works on the spool directly,
 * never through the admin API: the relay must be stopped (the spool lock says so). Exit codes: 0
 * done, 1 could not (the reason is printed; running it again with the same {@code --to} finishes an
 * export cut short), 2 invalid configuration.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Move every queued message of this node into an archive directory, for 'relay queue import' on another node.",
        "The relay must be stopped (drain it first: relay drain --wait 30m). Each message leaves this node's queue before "
            + "it is archived, so this node never sends it again; an export cut short is finished by running it again "
            + "with the same --to, and its archive cannot be imported before that."})
final class QueueExportCommand implements Callable<Integer> {

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "the archive directory (new, or an unfinished export's)")
  private Path to;

  @CommandLine.ParentCommand private QueueCommand queue;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return ArchiveStep.run("export", "exported", queue, spec,
        config -> new SpoolExport(config.spool().directory(), InstantSource.system()).to(to),
        (config, report, out) -> {
          out.println("archive: " + to.toAbsolutePath() + " (complete). Next: copy it to the other node, stop the relay "
              + "there and run 'relay queue import " + to.toAbsolutePath() + "'.");
          if (!Files.exists(config.home().resolve(IntakeSwitch.FILE))) {
            out.println("note: this node is not drained: when it starts again it takes new mail.");
          }
        });
  }
}
