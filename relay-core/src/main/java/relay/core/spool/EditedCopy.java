package relay.core.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import relay.core.routing.header.HeaderEdit;
import relay.core.routing.header.HeaderSection;

/**
 * Writes one further part of a split message: the streamed content's header section with the part's
 * edits applied, then the streamed body unchanged, then the part's record and trailer, forced.
 *
 * <p>Why edits are applied on write rather than on read: every transport then sends exactly the
 * bytes on disk, the body size and checksum in the trailer describe what leaves, and a transport
 * written later cannot forget the edits.
 *
 * <p>The header section is read from at most {@link #HEADER_LIMIT} bytes of the content. When it is
 * longer than that (no blank line within the limit), the edits cannot be placed safely and the copy
 * keeps the content unchanged; the caller logs that. Used by one thread; blocking I/O.
 */
final class EditedCopy {

  /** Header sections are parsed from at most this many bytes of the content. */
  static final int HEADER_LIMIT = 256 * 1024;

  private final Path source;
  private final long sourceLength;
  private final HeaderSection headers;

  private EditedCopy(Path source, long sourceLength, HeaderSection headers) {
    this.source = source;
    this.sourceLength = sourceLength;
    this.headers = headers;
  }

  /** Reads the header section of the streamed content in {@code source}. */
  static EditedCopy of(Path source, long sourceLength) throws IOException {
    int prefix = (int) Math.min(sourceLength, HEADER_LIMIT);
    ByteBuffer head = ByteBuffer.allocate(prefix);
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      while (head.hasRemaining()) {
        if (in.read(head, head.position()) < 0) {
          throw new IOException("spool file is shorter than its content");
        }
      }
    }
    return new EditedCopy(source, sourceLength, HeaderSection.parse(head.array()));
  }

  /** Whether edits can be applied: the whole header section lies within the parsed prefix. */
  boolean editable() {
    return headers.complete() || headers.length() == sourceLength;
  }

  /** Writes the edited content to {@code out}; returns nothing, {@code out} counts and checksums. */
  void write(List<HeaderEdit> edits, ChecksummedOutput out) throws IOException {
    long bodyFrom = 0;
    if (editable() && !edits.isEmpty()) {
      out.write(headers.apply(edits).toBytes());
      if (headers.complete()) {
        out.write(new byte[] {'\r', '\n'});
      }
      bodyFrom = headers.length();
    }
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        InputStream body = Channels.newInputStream(in.position(bodyFrom))) {
      byte[] chunk = new byte[64 * 1024];
      long left = sourceLength - bodyFrom;
      while (left > 0) {
        int n = body.read(chunk, 0, (int) Math.min(chunk.length, left));
        if (n < 0) {
          throw new IOException("spool file is shorter than its content");
        }
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }
}
