package relay.server.main;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;
import relay.server.inbound.ProcessorSplit;

/**
 * The {@code relay} command. Without a subcommand it runs the relay: on the embedded default
 * configuration, or on {@code --config FILE}. Exit codes: 0 stopped normally, 2 configuration
 * invalid, 1 could not start, 3 halted on a fatal JVM error ({@link FatalErrorHandler}).
 */
@Command(
    name = "relay",
    mixinStandardHelpOptions = true,
    version = "Relay 0.1.0",
    description = "SMTP relay / smart host: accepts mail from allowed clients, queues it on disk and delivers it onward.",
    subcommands = {CheckConfigCommand.class, RouteCommand.class, QueueCommand.class, DrainCommand.class, TraceCommand.class,
        CheckDnsCommand.class, ExplainCommand.class, AnalyzeHeadersCommand.class, TestConnectorCommand.class,
        TestInboundCommand.class})
final class Main implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path config;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  // Injected so that tests can check configurations whose secrets come from the environment.
  private final Map<String, String> environment;

  Main() {
    this(System.getenv());
  }

  Main(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The variables {@code ${?NAME}} substitutions and {@code env:} secret references read. */
  Map<String, String> environment() {
    return environment;
  }

  public static void main(String[] args) {
    ProcessorSplit.sizeCarriers(); // first: the virtual-thread scheduler reads it once, when it starts
    FatalErrorHandler.install();
    int status = new CommandLine(new Main()).execute(args);
    Logging.flush();
    System.exit(status);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    StartupHangUp hangUp = StartupHangUp.install();
    RelayConfig relayConfig;
    try {
      relayConfig = ConfigLoader.load(Optional.ofNullable(config), environment, true);
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      err.println("relay: not started: the configuration is invalid");
      return 2;
    }
    // Logback reads these when it first starts (logback.xml), so set them before any logger exists.
    Logging.configure(relayConfig.logging());
    Logging.bridgeJavaUtilLogging();

    RelayServer server;
    try {
      server = RelayServer.start(relayConfig, java.time.InstantSource.system());
    } catch (java.io.IOException | RuntimeException e) {
      Logging.startupFailure(e);
      err.println("relay: could not start: " + e.getMessage());
      return 1;
    }
    ConfigReloader reloader = null;
    if (config != null) {
      reloader = new ConfigReloader(server, config, environment);
      reloader.start();
      if (hangUp.seen()) {
        org.slf4j.LoggerFactory.getLogger(ConfigReloader.class).info("SIGHUP during start-up: reloading {}", config);
        ConfigReloader.reloadFrom(server, Optional.of(config), environment);
      }
    } else {
      Logging.ignoreHangUp(); // the JVM's default would stop the relay
    }
    ConfigReloader watching = reloader;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform().unstarted(() -> {
              try {
                if (watching != null) {
                  watching.close();
                }
              } catch (java.io.IOException e) {
                // shutting down anyway
              }
              Logging.stopping();
              server.close();
              Logging.stopped();
              Logging.flush();
              stopped.countDown();
            }));
    Logging.ready(server.describe());
    stopped.await();
    return 0;
  }
}
