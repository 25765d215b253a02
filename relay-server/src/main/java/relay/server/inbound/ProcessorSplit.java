package relay.server.inbound;

/**
 * How the relay divides the processors: half (at least one) run the listeners' event loops, which
 * frame bytes and run the SMTP session state machine; the rest (at least one) carry the virtual
 * threads, which do the spool's disk work and every delivery.
 *
 * <p>Why not the JDK's default of one carrier per processor: with the event loops on top, more
 * threads than processors wait for work, and each hand-over wakes an idle one (a futex call and a
 * context switch). On two cores one carrier instead of two took 17 % less CPU per relayed message
 * and accepted 16 % more with 20 sessions, 25 % less and 36 % more with one (paired runs,
 * docs/benchmark.md). The price: a drain with nothing arriving has only the carriers' share of the
 * processors (on two cores about 15 % slower: 3,840 instead of 4,520 messages a second, still
 * several times Postfix's).
 *
 * <p>What makes one carrier safe: virtual threads are not time-sliced, so every long CPU-bound job
 * runs on a platform thread of its own, which the OS shares out (the start-up recovery, the first
 * count of the queue, compressing rolled logs, reading logs for a trace, the admin API's calls).
 */
public final class ProcessorSplit {

  /** The system property the JDK's virtual-thread scheduler reads, once, when it starts. */
  static final String CARRIERS_PROPERTY = "jdk.virtualThreadScheduler.parallelism";

  private ProcessorSplit() {}

  /** Event loops per listener for {@code processors} processors. */
  static int eventLoops(int processors) {
    return Math.max(1, processors / 2);
  }

  /** Virtual-thread carriers for {@code processors} processors: what the event loops leave. */
  static int carriers(int processors) {
    return Math.max(1, processors - eventLoops(processors));
  }

  /**
   * Sizes the virtual-thread scheduler for this machine unless the operator did (a {@code -D} in
   * {@code RELAY_JAVA_OPTS}). Call before the first virtual thread starts: later it has no effect.
   */
  public static void sizeCarriers() {
    System.getProperties().putIfAbsent(CARRIERS_PROPERTY,
        String.valueOf(carriers(Runtime.getRuntime().availableProcessors())));
  }
}
