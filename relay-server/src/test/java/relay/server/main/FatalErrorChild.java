package relay.server.main;

import java.util.ArrayList;
import java.util.List;

/**
 * Test aid: the main class of a child JVM that gets into the state a fatal error leaves behind,
 * for {@link FatalJvmErrorTest}. Without the protection under test it would run until killed.
 *
 * <ul>
 *   <li>{@code hoard}: allocates until the heap is exhausted, swallows the OutOfMemoryError and
 *       goes on, as careless code in a library might.
 *   <li>{@code overflow}: with {@link FatalErrorHandler} installed as {@link Main} does, a worker
 *       thread dies of a StackOverflowError while the main thread goes on waiting.
 * </ul>
 */
final class FatalErrorChild {

  private FatalErrorChild() {}

  public static void main(String[] args) throws InterruptedException {
    switch (args[0]) {
      case "hoard" -> hoard();
      case "overflow" -> overflow();
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void hoard() {
    List<byte[]> hoard = new ArrayList<>();
    while (true) {
      try {
        hoard.add(new byte[1 << 20]);
      } catch (OutOfMemoryError e) {
        hoard.clear();
      }
    }
  }

  private static void overflow() throws InterruptedException {
    FatalErrorHandler.install();
    Thread worker = Thread.ofPlatform().name("worker").start(() -> recurse(0));
    // The handler halts the JVM when the worker dies; joining only keeps main from ending first.
    worker.join();
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }
}
