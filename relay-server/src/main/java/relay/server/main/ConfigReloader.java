package relay.server.main;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.load.ConfigLoader;
import relay.config.load.ConfigProblem;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;

/**
 * Reloads the configuration file into a running {@link RelayServer} on SIGHUP and when the file's
 * directory reports a change (debounced: editors write files in several steps, so a burst of
 * events gives one reload after {@link #DEBOUNCE} of quiet). A file that does not load or validate
 * leaves the running configuration in place; every problem is logged with file, line and path.
 *
 * <p>The SIGHUP handler replaces the JVM's own (which would shut the process down); {@link #close}
 * puts the previous handler back, so a closed reloader no longer reacts to the signal.
 *
 * <p>Threading: one virtual thread watches the directory; the SIGHUP handler runs on the JVM's
 * signal thread; both call {@link #reloadFrom}, which the server serialises.
 */
final class ConfigReloader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
  static final Duration DEBOUNCE = Duration.ofMillis(500);

  private final RelayServer server;
  private final Path file;
  private final Map<String, String> environment;
  private WatchService watcher;
  private Thread thread;
  // The handler SIGHUP had before start(); null when none was installed (no SIGHUP on this platform).
  private sun.misc.SignalHandler previousHup;

  ConfigReloader(RelayServer server, Path file, Map<String, String> environment) {
    this.server = server;
    this.file = file.toAbsolutePath();
    this.environment = Map.copyOf(environment);
  }

  /**
   * Loads {@code file} and hands it to the server; false when it did not load (the failure is
   * logged and counted, the server keeps its configuration).
   */
  static boolean reloadFrom(RelayServer server, Optional<Path> file, Map<String, String> environment) {
    RelayConfig next;
    try {
      next = ConfigLoader.load(file, environment, false);
    } catch (InvalidConfigException e) {
      LOG.error("configuration reload: {} problem(s); the previous configuration stays in use", e.problems().size());
      for (ConfigProblem problem : e.problems()) {
        LOG.error("configuration reload: {}", problem);
      }
      server.reloadFailed();
      return false;
    } catch (RuntimeException e) {
      LOG.error("configuration reload failed; the previous configuration stays in use: {}", e.toString());
      server.reloadFailed();
      return false;
    }
    server.reload(next);
    return true;
  }

  /** Installs the SIGHUP handler (where the platform has one) and starts watching the file. */
  synchronized void start() throws IOException {
    try {
      previousHup = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
        LOG.info("SIGHUP: reloading {}", file);
        reloadFrom(server, Optional.of(file), environment);
      });
    } catch (IllegalArgumentException e) {
      LOG.info("no SIGHUP on this platform; the configuration reloads when {} changes", file);
    }
    watcher = FileSystems.getDefault().newWatchService();
    file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    thread = Thread.ofVirtual().name("config-watch").start(this::watch);
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = key.pollEvents().stream().anyMatch(e -> file.getFileName().equals(e.context()));
        key.reset();
        if (!ours) {
          continue;
        }
        // Debounce: wait until the directory has been quiet for a while, then reload once.
        WatchKey more;
        while ((more = watcher.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          more.pollEvents();
          more.reset();
        }
        LOG.info("{} changed: reloading", file);
        reloadFrom(server, Optional.of(file), environment);
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  /** Whether SIGHUP reloads (the handler is installed: after {@link #start}, before {@link #close}). */
  synchronized boolean handlesSighup() {
    return previousHup != null;
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (previousHup != null) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), previousHup);
        previousHup = null;
      }
    }
    if (watcher != null) {
      watcher.close();
    }
    if (thread != null) {
      thread.interrupt();
    }
  }
}
