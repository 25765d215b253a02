package relay.server.inbound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one home of a node's drained state: whether its listeners take new mail. Drained is kept in
 * {@code <home>/drained} until undone, so a node restarted while drained (an operator patching it)
 * comes back drained and the load balancer does not send it mail before the operator says so.
 * Changing the state writes the file durably first (temp file, force, atomic rename, directory
 * force) and only then takes effect, so what the node does never runs ahead of what it would come
 * back to after a crash.
 *
 * <p>Threading: {@link #current()} is a volatile read, safe from event loops; changes are
 * serialised and block on disk I/O (call them from the admin API's virtual threads).
 */
public final class IntakeSwitch {

  /** The file's name in the relay's home. */
  public static final String FILE = "drained";

  private static final Logger LOG = LoggerFactory.getLogger(IntakeSwitch.class);

  private final Path file;
  private final InstantSource clock;
  private volatile IntakeState current;

  private IntakeSwitch(Path file, InstantSource clock, IntakeState current) {
    this.file = file;
    this.clock = clock;
    this.current = current;
  }

  /** The switch of the node whose home is {@code home}, in the state the file there records. */
  public static IntakeSwitch open(Path home, InstantSource clock) throws IOException {
    Path file = home.resolve(FILE);
    IntakeState state = read(file);
    if (state instanceof IntakeState.Drained d) {
      LOG.warn("starting drained (since {} by {}): listeners answer 421 and /readyz is not ready until "
          + "'relay drain --undo'", d.since(), d.by());
    }
    return new IntakeSwitch(file, clock, state);
  }

  /** The state now. */
  public IntakeState current() {
    return current;
  }

  /** Drains the node on {@code by}'s word; false when it was drained already (nothing changes). */
  public synchronized boolean drain(String by) throws IOException {
    if (current instanceof IntakeState.Drained) {
      return false;
    }
    IntakeState.Drained drained = new IntakeState.Drained(clock.instant(), by);
    write(drained);
    current = drained;
    LOG.warn("node drained by {}: new connections and new transactions get 421 4.3.2, the queue is still delivered", by);
    return true;
  }

  /** Takes new mail again; false when it did already. */
  public synchronized boolean accept(String by) throws IOException {
    if (current instanceof IntakeState.Accepting) {
      return false;
    }
    Files.deleteIfExists(file);
    force(file.getParent());
    current = new IntakeState.Accepting();
    LOG.info("node accepting mail again ({})", by);
    return true;
  }

  private void write(IntakeState.Drained drained) throws IOException {
    String text = "# Relay is drained: 'relay drain --undo' makes it accept mail again\n"
        + "since=" + drained.since() + "\nby=" + drained.by().replaceAll("[\\r\\n]", " ") + "\n";
    Path temp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    force(file.getParent());
  }

  private static void force(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static IntakeState read(Path file) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return new IntakeState.Accepting();
    }
    // A damaged file still means "drained": the operator asked for it, so fail towards not taking mail.
    Instant since;
    try {
      since = Instant.parse(p.getProperty("since", ""));
    } catch (DateTimeException e) {
      since = Files.getLastModifiedTime(file).toInstant();
    }
    return new IntakeState.Drained(since, p.getProperty("by", "unknown"));
  }
}
