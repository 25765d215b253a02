package relay.server.main;

import java.io.PrintStream;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last word on an error that ended a thread. A {@link VirtualMachineError} (out of memory,
 * stack overflow, an internal JVM error) leaves a process nobody can vouch for: the thread that died
 * may have held a lock or driven a queue, while the ports stay open and a supervisor sees a running
 * process. So the process ends at once, with exit code {@value #EXIT_CODE} (the code the JVM's own
 * {@code -XX:+ExitOnOutOfMemoryError} uses), and systemd's {@code Restart=on-failure} starts a fresh
 * one. Nothing accepted is lost: a {@code 250} is only sent once the message is forced to disk.
 *
 * <p>It halts rather than exits: shutdown hooks (closing listeners, waiting for sessions to end)
 * could hang on the very thread that died, or need memory there is none of. The reason goes to
 * standard error first (the journal; written at once, while relay.log's writer is asynchronous and
 * may not get to it) and then, as far as it still can, to relay.log. Other exceptions are only
 * logged; their thread ends as it would anyway.
 *
 * <p>Installed once, by {@link Main}, as the default handler of every thread. Stateless.
 */
final class FatalErrorHandler implements Thread.UncaughtExceptionHandler {

  static final int EXIT_CODE = 3;

  private final IntConsumer halt;
  private final PrintStream err;

  FatalErrorHandler(IntConsumer halt, PrintStream err) {
    this.halt = halt;
    this.err = err;
  }

  /** Makes this process's handler the default for every thread. */
  static void install() {
    Thread.setDefaultUncaughtExceptionHandler(new FatalErrorHandler(Runtime.getRuntime()::halt, System.err));
  }

  /**
   * Asked for when needed, not held from class initialisation: {@link #install()} runs before
   * Main has told logback where relay.log goes, and the first logger made starts logback.
   */
  private static Logger log() {
    return LoggerFactory.getLogger(FatalErrorHandler.class);
  }

  @Override
  public void uncaughtException(Thread thread, Throwable e) {
    if (!(e instanceof VirtualMachineError)) {
      log().error("uncaught exception in thread {}; the thread ends", thread.getName(), e);
      return;
    }
    // Each report may fail for want of the memory or stack that just ran out: halt regardless.
    try {
      err.println("relay: " + e + " in thread " + thread.getName() + "; halting so that a supervisor restarts it");
      err.flush();
    } catch (Throwable ignored) {
      // nothing left to report with
    }
    try {
      log().error("{} in thread {}; halting so that a supervisor restarts the relay", e, thread.getName());
    } catch (Throwable ignored) {
      // as above
    }
    halt.accept(EXIT_CODE);
  }
}
