package relay.core.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import relay.core.envelope.MessageId;

/**
 * The one home of the queue archive's format: a directory that {@code relay queue export} fills
 * and {@code relay queue import} reads.
 *
 * <pre>
 * ARCHIVE/
 *   manifest            written last: its presence means the archive is complete (format below)
 *   messages/ID.msg     the message file exactly as the spool stored it (body, first record, trailer)
 *   messages/ID.state   a spool state file with the message's latest record (recipients done, held,
 *                       attempts, next attempt, connector, TLS requirement)
 *   incoming/           files being written; anything left here was not finished
 *   source              the spool the archive is being exported from (an unfinished export resumes
 *                       only from there)
 * </pre>
 *
 * Both message files keep the spool's own layout and CRC32C trailer (versioned, {@link
 * SpoolFileFormat}), so an import verifies them as recovery does. The manifest is text, one field
 * per line and one tab-separated line per message:
 *
 * <pre>
 * relay-queue-archive	1
 * created	2026-12-07T06:00:00Z
 * source	/var/spool/relay
 * message	ID	CONNECTOR|-	held|queued	SHA-256 of ID.msg	SHA-256 of ID.state
 * end	COUNT
 * </pre>
 *
 * <p>Every file is forced before it is renamed into place, and the directory after. Stateless apart
 * from the path; thread-safe.
 */
record QueueArchive(Path root) {

  static final String MAGIC = "relay-queue-archive";
  static final int VERSION = 1;

  /** One message in the manifest. */
  record Entry(MessageId id, String connector, boolean held, String messageSha, String stateSha) {}

  Path manifest() {
    return root.resolve("manifest");
  }

  Path messages() {
    return root.resolve("messages");
  }

  Path incoming() {
    return root.resolve("incoming");
  }

  Path source() {
    return root.resolve("source");
  }

  Path messageFile(MessageId id) {
    return messages().resolve(id.value() + SpoolDirectories.MESSAGE_SUFFIX);
  }

  Path stateFile(MessageId id) {
    return messages().resolve(id.value() + SpoolDirectories.STATE_SUFFIX);
  }

  boolean complete() {
    return Files.exists(manifest());
  }

  /** Writes the manifest (temp, force, rename, directory force): the archive is then complete. */
  void writeManifest(Instant created, Path sourceSpool, List<Entry> entries) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append(MAGIC).append('\t').append(VERSION).append('\n');
    text.append("created\t").append(created).append('\n');
    text.append("source\t").append(sourceSpool).append('\n');
    for (Entry e : entries) {
      text.append("message\t").append(e.id().value()).append('\t').append(e.connector() == null ? "-" : e.connector())
          .append('\t').append(e.held() ? "held" : "queued").append('\t').append(e.messageSha()).append('\t')
          .append(e.stateSha()).append('\n');
    }
    text.append("end\t").append(entries.size()).append('\n');
    Path temp = incoming().resolve("manifest.tmp");
    writeDurably(temp, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    Files.move(temp, manifest(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(root);
  }

  /**
   * The manifest's entries.
   *
   * @throws CorruptRecordException when it is missing (the export did not finish), of another
   *     version, or cut short
   */
  List<Entry> readManifest() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(manifest(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CorruptRecordException(root + " is not a complete queue archive (no manifest): "
          + "an export that did not finish; run it again on the source with the same --to");
    }
    if (lines.isEmpty() || !lines.getFirst().equals(MAGIC + "\t" + VERSION)) {
      throw new CorruptRecordException(manifest() + " is not a version " + VERSION + " queue archive manifest");
    }
    List<Entry> entries = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("message") && f.length == 6) {
        entries.add(new Entry(new MessageId(f[1]), f[2].equals("-") ? null : f[2], f[3].equals("held"), f[4], f[5]));
      } else if (f[0].equals("end")) {
        if (f.length != 2 || !f[1].equals(Integer.toString(entries.size()))) {
          throw new CorruptRecordException(manifest() + " counts " + f[1] + " messages but lists " + entries.size());
        }
        return entries;
      }
    }
    throw new CorruptRecordException(manifest() + " is cut short (no end line)");
  }

  /** Copies {@code from} to {@code to} (created new), forced to disk; returns the SHA-256 of the bytes. */
  static String copyDurably(Path from, Path to) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(from), sha);
        FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      in.transferTo(new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
        }
      });
      out.force(true);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The SHA-256 of a file's bytes. */
  static String sha256(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static void writeDurably(Path file, ByteBuffer content) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      while (content.hasRemaining()) {
        channel.write(content);
      }
      channel.force(true);
    }
  }

  static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
