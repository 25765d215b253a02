package relay.server.tracking;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The file side of a {@link LineFile}: turns lines into UTF-8 text in {@code NAME.log}, rolls that
 * file at UTC midnight or when it reaches the retention's file size (named, compressed and pruned by
 * {@link LogArchive}), and
 * holds on to every line it was given until its bytes are in the file, so that an I/O error loses
 * none of them.
 *
 * <p>A line is first <em>pending</em> (taken from the queue), then <em>buffered</em> (formatted into
 * the text buffer, written once about 64 KiB have gathered or on {@link #flush()}), then written.
 * A failed write must not leave half a buffer behind (a full disk may take part of one), so {@link
 * #abandon()} cuts the file back to its last whole line and puts the buffered lines back at the head
 * of the pending ones; the next {@link #open()} writes them again, in their original order and with
 * their original times.
 *
 * <p>Call order: {@link #open()}, then {@link #write} and {@link #flush()} any number of times,
 * {@link #close()} at the end. After an {@link IOException} from any of them: {@link #abandon()},
 * then {@link #open()} again later. Not thread-safe: owned by one writer thread.
 */
final class LineSink {

  private static final long DAY_MILLIS = TimeUnit.DAYS.toMillis(1);
  /** Text gathered per write: one system call per 64 KiB rather than per line. */
  private static final int WRITE_CHARS = 64 << 10;

  private final Path directory;
  private final String name;
  private final boolean timestamped;
  private final LogRetention retention;
  private final LogArchive archive;
  private final InstantSource clock;
  private final LogTimestamp stamp = new LogTimestamp();
  private final ArrayDeque<QueuedLine> pending = new ArrayDeque<>();
  private final List<QueuedLine> buffered = new ArrayList<>();
  private final StringBuilder text = new StringBuilder(WRITE_CHARS + 1024);
  // A peer's bytes decoded as text may hold a lone surrogate: written as '?' rather than failing.
  private final CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final ByteBuffer bytes = ByteBuffer.allocate(WRITE_CHARS);
  private char[] chars = new char[WRITE_CHARS + 1024];
  private FileChannel channel;
  /** The file's size up to the end of the last line written whole. */
  private long wholeLines;
  private long dayEnd;

  LineSink(Path directory, String name, boolean timestamped, LogRetention retention, InstantSource clock)
      throws IOException {
    this.directory = directory;
    this.name = name;
    this.timestamped = timestamped;
    this.retention = retention;
    this.archive = new LogArchive(directory, name, retention);
    this.clock = clock;
    Path file = current();
    // A file from an earlier run holds the day it was last written to; anything else (no file yet,
    // a link to a device) starts today, and is not rolled before midnight.
    dayEnd = dayEndOf(Files.isRegularFile(file) ? Files.getLastModifiedTime(file).toMillis() : clock.millis());
  }

  boolean isOpen() {
    return channel != null;
  }

  /** Lines given to {@link #write} that are not in the file yet. */
  int unwritten() {
    return pending.size() + buffered.size();
  }

  /** Opens {@code NAME.log} for appending and writes out whatever is pending from before. */
  void open() throws IOException {
    channel = openCurrent();
    drain();
    flush();
  }

  /** Takes {@code lines} in order; they are written once a buffer's worth has gathered. */
  void write(Collection<QueuedLine> lines) throws IOException {
    pending.addAll(lines);
    drain();
  }

  /** Writes the buffered lines, so they become visible to readers of the file. */
  void flush() throws IOException {
    if (buffered.isEmpty()) {
      return;
    }
    int length = text.length();
    if (chars.length < length) {
      chars = new char[length];
    }
    text.getChars(0, length, chars, 0);
    CharBuffer in = CharBuffer.wrap(chars, 0, length);
    encoder.reset();
    long written = 0;
    boolean more = true;
    while (more) {
      // All input is at hand (endOfInput), and UTF-8 keeps no state to flush after it.
      more = encoder.encode(in, bytes, true).isOverflow();
      bytes.flip();
      while (bytes.hasRemaining()) {
        written += channel.write(bytes);
      }
      bytes.clear();
    }
    wholeLines += written;
    buffered.clear();
    text.setLength(0);
  }

  /** Writes what is buffered and closes the file. */
  void close() throws IOException {
    flush();
    channel.close();
    channel = null;
  }

  /**
   * After an I/O error: cuts the file back to its last whole line, closes it, and keeps every line
   * not known to be written for the next {@link #open()}. Never throws.
   */
  void abandon() {
    if (channel != null) {
      try {
        if (channel.size() > wholeLines) {
          channel.truncate(wholeLines);
        }
      } catch (IOException | RuntimeException e) {
        // Best effort: a torn line is left in the file, the lines themselves are still kept.
      }
      try {
        channel.close();
      } catch (IOException e) {
        // Already failing; the channel is dropped either way.
      }
      channel = null;
    }
    for (int i = buffered.size() - 1; i >= 0; i--) {
      pending.addFirst(buffered.get(i));
    }
    buffered.clear();
    text.setLength(0);
  }

  /** Forgets every unwritten line (the writer gives up on them) and returns how many there were. */
  int discard() {
    int lost = unwritten();
    pending.clear();
    buffered.clear();
    text.setLength(0);
    return lost;
  }

  private void drain() throws IOException {
    for (QueuedLine line; (line = pending.peekFirst()) != null; ) {
      long millis = timestamped ? line.millis() : clock.millis();
      if (millis >= dayEnd) {
        flush();
        roll(millis, false);
      } else if (wholeLines + text.length() >= retention.maxFileSize()) {
        flush();
        roll(millis, true);
      }
      pending.pollFirst();
      buffered.add(line);
      if (timestamped) {
        stamp.append(text, millis);
      }
      text.append(line.text()).append('\n');
      if (text.length() >= WRITE_CHARS) {
        flush();
      }
    }
  }

  /** Rolls at midnight (the day ends) or by size (the day goes on in a new part). */
  private void roll(long millis, boolean bySize) throws IOException {
    channel.close();
    channel = null;
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(dayEnd - 1, DAY_MILLIS));
    // Only a file is rolled. An operator may have removed it (nothing to keep: a new day starts),
    // or linked the name to a device such as /dev/null: that stays, and compressing it would
    // never end.
    boolean present = Files.isRegularFile(current());
    Path rolled = directory.resolve(archive.rolledName(day, bySize));
    if (present) {
      Files.move(current(), rolled);
    }
    if (!bySize) {
      dayEnd = dayEndOf(millis);
    }
    channel = openCurrent();
    if (present) {
      // Compressing a file takes a while (CPU: a platform thread, which the OS time-slices with the
      // virtual threads' carriers); the writer goes on meanwhile.
      LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(millis, DAY_MILLIS));
      Thread.ofPlatform().name(name + "-log-archive").daemon(true).start(() -> archive.compressAndPrune(rolled, today));
    }
  }

  /** Compresses what an earlier run left uncompressed and applies the retention, in the background. */
  void tidyArchive() {
    LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(clock.millis(), DAY_MILLIS));
    Thread.ofPlatform().name(name + "-log-archive").daemon(true).start(() -> archive.tidy(today));
  }

  private FileChannel openCurrent() throws IOException {
    FileChannel opened = FileChannel.open(current(), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
    wholeLines = opened.size();
    return opened;
  }

  private Path current() {
    return directory.resolve(name + ".log");
  }

  private static long dayEndOf(long millis) {
    return (Math.floorDiv(millis, DAY_MILLIS) + 1) * DAY_MILLIS;
  }
}
