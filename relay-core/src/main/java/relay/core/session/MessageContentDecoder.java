package relay.core.session;

import java.io.IOException;
import java.io.OutputStream;
import relay.core.policy.BareLineEndings;

/**
 * Decodes the DATA phase of one message from raw socket bytes, in chunks of any size: removes the
 * transparency dot (RFC 5321 section 4.5.2), recognises the end of data and writes the content with
 * canonical CRLF line endings to a sink.
 *
 * <p>Invariants, the reason this class exists: only {@code CRLF "." CRLF} ends the data (the CRLF
 * before the dot may be the one that ended the 354 reply's command, so a first line of {@code "."}
 * ends it too). A bare LF or bare CR never ends the data and never starts a line that could: the
 * payloads {@code LF.LF}, {@code CR.CR}, {@code CRLF.LF} and {@code LF.CRLF} stay inside the message
 * as text, so no second message can be smuggled past a differently-parsing peer. With
 * {@link BareLineEndings#NORMALIZE} each bare CR or LF is stored as CRLF; with
 * {@link BareLineEndings#REJECT} it is only noted, and the session refuses the message. Once the
 * message is known to be refused (too big, over-long line, bare line ending to reject), nothing more
 * is written but the input is still read to the real end of data so the session stays in sync.
 * Dot-unstuffing applies only at the start of a real (CRLF-terminated) line.
 *
 * <p>Not thread-safe: one instance per DATA phase, fed from one thread.
 */
public final class MessageContentDecoder {

  private enum State { LINE_START, DOT, DOT_CR, TEXT, CR, DONE }

  private final long maxSize;
  private final int maxTextLine;
  private final BareLineEndings bareLineEndings;
  private State state = State.LINE_START;
  private long size;
  private int lineLength;
  private boolean tooBig;
  private boolean lineTooLong;
  private boolean bareLineEnding;

  public MessageContentDecoder(long maxSize, int maxTextLine, BareLineEndings bareLineEndings) {
    this.maxSize = maxSize;
    this.maxTextLine = maxTextLine;
    this.bareLineEndings = bareLineEndings;
  }

  /**
   * Consumes bytes up to and including the end-of-data line, writing decoded content to {@code sink}.
   *
   * @return how many bytes of {@code src} were consumed; fewer than {@code length} only when the
   *     end of data was reached (the rest belongs to the next command)
   */
  public int feed(byte[] src, int offset, int length, OutputStream sink) throws IOException {
    int i = offset;
    int end = offset + length;
    while (i < end && state != State.DONE) {
      if (state == State.TEXT || (state == State.LINE_START && src[i] != '.')) {
        i = textRun(src, i, end, sink);
      } else {
        step(src[i++], sink);
      }
    }
    return i - offset;
  }

  /**
   * The common case, inside a line: every byte up to the next CR or LF is ordinary text, so the run
   * goes to the sink in one call instead of one per byte. Counts and refusals come out exactly as if
   * {@link #text} had run for each byte: the flags only ever turn on, so the bytes written are the
   * run's prefix before the first byte that would have set one.
   *
   * @return the index of the first byte not consumed (a CR, an LF, or {@code end})
   */
  private int textRun(byte[] src, int from, int end, OutputStream sink) throws IOException {
    int i = from;
    while (i < end && src[i] != '\r' && src[i] != '\n') {
      i++;
    }
    int run = i - from;
    if (run == 0) {
      step(src[i], sink);
      return i + 1;
    }
    state = State.TEXT;
    if (!refused()) {
      long untilTooBig = maxSize - size;
      long untilTooLong = (long) maxTextLine - 2 - lineLength;
      int allowed = (int) Math.max(0, Math.min(run, Math.min(untilTooBig, untilTooLong)));
      if (allowed > 0) {
        sink.write(src, from, allowed);
      }
    }
    size += run;
    lineLength += run;
    if (size > maxSize) {
      tooBig = true;
    }
    if (lineLength + 2 > maxTextLine) {
      lineTooLong = true;
    }
    return i;
  }

  /** True once {@code CRLF.CRLF} was read. */
  public boolean isFinished() {
    return state == State.DONE;
  }

  /** What was seen so far (final once {@link #isFinished()}). */
  public DataSummary summary() {
    return new DataSummary(size, tooBig, lineTooLong, bareLineEnding);
  }

  private void step(byte b, OutputStream sink) throws IOException {
    switch (state) {
      case LINE_START -> {
        if (b == '.') {
          state = State.DOT;
        } else {
          text(b, sink);
        }
      }
      case DOT -> {
        if (b == '\r') {
          state = State.DOT_CR;
        } else {
          // The leading dot was transparency stuffing: drop it, the byte is ordinary text.
          state = State.TEXT;
          text(b, sink);
        }
      }
      case DOT_CR -> {
        if (b == '\n') {
          state = State.DONE;
        } else {
          // ".<CR>x": the dot was stuffing and the CR is bare.
          bare(sink);
          state = State.TEXT;
          text(b, sink);
        }
      }
      case TEXT -> text(b, sink);
      case CR -> {
        if (b == '\n') {
          emitLineEnd(sink);
          state = State.LINE_START;
        } else {
          bare(sink);
          state = State.TEXT;
          text(b, sink);
        }
      }
      case DONE -> throw new IllegalStateException("data already ended");
    }
  }

  /** An ordinary byte in a line (a CR waits to see whether LF follows). */
  private void text(byte b, OutputStream sink) throws IOException {
    if (b == '\r') {
      state = State.CR;
    } else if (b == '\n') {
      bare(sink);
      state = State.TEXT;
    } else {
      state = State.TEXT;
      lineLength++;
      emit(b, sink);
    }
  }

  /** A bare CR or LF: a line break in what is stored, but never a line start for DATA purposes. */
  private void bare(OutputStream sink) throws IOException {
    bareLineEnding = true;
    emitLineEnd(sink);
  }

  private void emitLineEnd(OutputStream sink) throws IOException {
    lineLength = 0;
    emit((byte) '\r', sink);
    emit((byte) '\n', sink);
  }

  private void emit(byte b, OutputStream sink) throws IOException {
    size++;
    if (size > maxSize) {
      tooBig = true;
    }
    // The line limit counts CRLF too; a line already past it is refused even before its end.
    if (lineLength + 2 > maxTextLine) {
      lineTooLong = true;
    }
    if (!refused()) {
      sink.write(b);
    }
  }

  private boolean refused() {
    return tooBig || lineTooLong || (bareLineEnding && bareLineEndings == BareLineEndings.REJECT);
  }
}
