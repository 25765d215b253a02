package relay.core.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import relay.core.envelope.BodyType;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/** Envelopes, spools and file helpers shared by the spool tests. */
final class SpoolFixtures {

  static final Instant RECEIVED = Instant.parse("2026-11-23T10:15:30.123456789Z");
  static final InstantSource CLOCK = InstantSource.fixed(RECEIVED);
  /** The default {@code max-lifetime}, for imports. */
  static final java.time.Duration LIFETIME = java.time.Duration.ofDays(2);

  private SpoolFixtures() {}

  static Envelope envelope() {
    return new Envelope(
        MailPath.parse("scanner@printers.example.org"),
        new MailParameters(4096, BodyType.EIGHT_BIT_MIME, true, DsnReturn.HDRS, "env+2Did-42"),
        List.of(
            new Recipient(
                MailPath.parse("alice@example.com"),
                EnumSet.of(DsnNotify.FAILURE, DsnNotify.DELAY),
                "rfc822;alice@example.com"),
            Recipient.of(MailPath.parse("bob@example.net"))),
        new ClientInfo("192.0.2.17", 50123, "printer-3.lan", true, "printers"),
        RECEIVED);
  }

  /** A recovered spool at {@code root}; the caller closes it. */
  static FileSpool spool(Path root) throws IOException {
    FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, CLOCK, new SplittableRandom(7));
    spool.recover();
    return spool;
  }

  /** What a spool opened again at {@code root}, as after a restart, recovers; that spool is closed again. */
  static List<QueuedMessage> recoverAfterRestart(Path root) throws IOException {
    try (FileSpool restarted = spool(root)) {
      return restarted.recover();
    }
  }

  static byte[] text(String content) {
    return content.getBytes(StandardCharsets.UTF_8);
  }

  static QueuedMessage commit(Spool spool, byte[] body) throws IOException {
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(body);
      return transaction.commit(envelope());
    }
  }

  static byte[] readBody(MessageBody body) throws IOException {
    try (InputStream in = body.open()) {
      return in.readAllBytes();
    }
  }

  /** Regular files anywhere under {@code directory} (the queue keeps them in bucket directories). */
  static List<Path> filesIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Where a committed message's file is in the spool at {@code root}. */
  static Path messageFile(Path root, relay.core.envelope.MessageId id) {
    return new SpoolDirectories(root).messageFile(id);
  }

  /** Where a message's state file is in the spool at {@code root}. */
  static Path stateFile(Path root, relay.core.envelope.MessageId id) {
    return new SpoolDirectories(root).stateFile(id);
  }

  /** {@code sync} for the queue's bucket directories, real syncs for the directories above them. */
  static java.util.function.Function<Path, GroupCommit> onBuckets(Path root, GroupCommit sync) {
    Path queue = root.resolve("queue");
    return dir -> dir.getParent() != null && queue.equals(dir.getParent().getParent()) ? sync : GroupCommit.of(dir);
  }

  /** Writes {@code size} pseudo-random bytes in 8 KiB chunks and returns their SHA-256. */
  static byte[] writeRandom(OutputStream out, long size, long seed) throws IOException {
    MessageDigest digest = sha256();
    SplittableRandom random = new SplittableRandom(seed);
    byte[] chunk = new byte[8192];
    long left = size;
    while (left > 0) {
      int n = (int) Math.min(chunk.length, left);
      random.nextBytes(chunk);
      out.write(chunk, 0, n);
      digest.update(chunk, 0, n);
      left -= n;
    }
    return digest.digest();
  }

  static byte[] digestOf(MessageBody body) throws IOException {
    MessageDigest digest = sha256();
    byte[] chunk = new byte[8192];
    try (InputStream in = body.open()) {
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        digest.update(chunk, 0, n);
      }
    }
    return digest.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
