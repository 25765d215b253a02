package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.policy.BareLineEndings;

class MessageContentDecoderTest {

  /** Result of decoding: the content written and how many input bytes were consumed. */
  private record Decoded(String content, int consumed, DataSummary summary, boolean finished) {}

  private static Decoded decode(String input, int chunk, BareLineEndings mode, long maxSize, int maxLine) throws IOException {
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    MessageContentDecoder decoder = new MessageContentDecoder(maxSize, maxLine, mode);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int consumed = 0;
    for (int off = 0; off < bytes.length && !decoder.isFinished(); off += chunk) {
      int len = Math.min(chunk, bytes.length - off);
      int used = decoder.feed(bytes, off, len, out);
      consumed += used;
      if (used < len) {
        break;
      }
    }
    return new Decoded(out.toString(StandardCharsets.ISO_8859_1), consumed, decoder.summary(), decoder.isFinished());
  }

  private static Decoded decode(String input, int chunk) throws IOException {
    return decode(input, chunk, BareLineEndings.NORMALIZE, 1 << 20, 1000);
  }

  static Stream<Arguments> smugglingPayloads() {
    List<Arguments> args = new ArrayList<>();
    String[] payloads = {"\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n"};
    for (String p : payloads) {
      for (int chunk : new int[] {1, 2, 3, 5, 7, 64}) {
        args.add(Arguments.of(p, chunk));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{index}: chunk {1}")
  @MethodSource("smugglingPayloads")
  void bareLineEndingDotPayloadNeverEndsDataAndKeepsSmuggledCommandsAsContent(String payload, int chunk) throws IOException {
    String smuggled = "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nforged\r\n";
    String input = "Subject: a\r\n\r\nhello" + payload + smuggled + ".\r\nQUIT\r\n";
    Decoded d = decode(input, chunk);
    assertThat(d.finished()).isTrue();
    assertThat(d.consumed()).isEqualTo(input.length() - "QUIT\r\n".length());
    assertThat(d.content()).contains("MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nforged\r\n");
    assertThat(d.content()).startsWith("Subject: a\r\n\r\nhello\r\n");
    assertThat(d.summary().bareLineEnding()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 1000})
  void onlyCrLfDotCrLfEndsDataAndTheRestIsLeftForCommands(int chunk) throws IOException {
    Decoded d = decode("line one\r\nline two\r\n.\r\nQUIT\r\n", chunk);
    assertThat(d.finished()).isTrue();
    assertThat(d.content()).isEqualTo("line one\r\nline two\r\n");
    assertThat(d.consumed()).isEqualTo("line one\r\nline two\r\n.\r\n".length());
    assertThat(d.summary().bareLineEnding()).isFalse();
  }

  @Test
  void dotLineRightAfterThe354EndsAnEmptyMessage() throws IOException {
    Decoded d = decode(".\r\n", 1);
    assertThat(d.finished()).isTrue();
    assertThat(d.content()).isEmpty();
    assertThat(d.summary().size()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 100})
  void leadingDotIsUnstuffedOnlyAtTheStartOfARealLine(int chunk) throws IOException {
    Decoded d = decode("..hidden\r\n...\r\na.b\r\n.x\r\n.\r\n", chunk);
    assertThat(d.content()).isEqualTo(".hidden\r\n..\r\na.b\r\nx\r\n");
  }

  @Test
  void incompleteEndSequenceWaitsForMoreInput() throws IOException {
    Decoded d = decode("text\r\n.\r", 1);
    assertThat(d.finished()).isFalse();
    assertThat(d.consumed()).isEqualTo(8);
  }

  @Test
  void bareLfIsNormalizedToCrLf() throws IOException {
    Decoded d = decode("a\nb\rc\r\r\n.\r\n", 3);
    assertThat(d.content()).isEqualTo("a\r\nb\r\nc\r\n\r\n");
    assertThat(d.summary().bareLineEnding()).isTrue();
  }

  @Test
  void rejectModeStillReadsToTheRealEndButWritesNothingAfterTheBareEnding() throws IOException {
    Decoded d = decode("a\nb\r\n.\r\nNEXT", 2, BareLineEndings.REJECT, 1 << 20, 1000);
    assertThat(d.finished()).isTrue();
    assertThat(d.consumed()).isEqualTo("a\nb\r\n.\r\n".length());
    assertThat(d.summary().bareLineEnding()).isTrue();
    assertThat(d.content()).isEqualTo("a");
  }

  @Test
  void sizeLimitIsTrackedAndContentStopsButReadingContinuesToTheEnd() throws IOException {
    String body = "x".repeat(60) + "\r\n";
    Decoded d = decode(body.repeat(10) + ".\r\nQUIT", 7, BareLineEndings.NORMALIZE, 100, 1000);
    assertThat(d.finished()).isTrue();
    assertThat(d.summary().tooBig()).isTrue();
    assertThat(d.summary().size()).isEqualTo(620);
    assertThat(d.content().length()).isEqualTo(100);
  }

  @Test
  void messageOfExactlyMaxSizeIsNotTooBig() throws IOException {
    Decoded d = decode("x".repeat(98) + "\r\n.\r\n", 5, BareLineEndings.NORMALIZE, 100, 1000);
    assertThat(d.summary().tooBig()).isFalse();
    assertThat(d.summary().size()).isEqualTo(100);
  }

  @Test
  void textLineLongerThanLimitIsFlaggedAndCountsItsCrLf() throws IOException {
    assertThat(decode("x".repeat(998) + "\r\n.\r\n", 64, BareLineEndings.NORMALIZE, 1 << 20, 1000).summary().lineTooLong())
        .isFalse();
    Decoded over = decode("x".repeat(999) + "\r\nmore\r\n.\r\n", 64, BareLineEndings.NORMALIZE, 1 << 20, 1000);
    assertThat(over.summary().lineTooLong()).isTrue();
    assertThat(over.finished()).isTrue();
  }

  @Test
  void eightBitBytesPassThroughUnchanged() throws IOException {
    Decoded d = decode("caf\u00e9 \u00ff\r\n.\r\n", 1);
    assertThat(d.content()).isEqualTo("caf\u00e9 \u00ff\r\n");
  }

  @Test
  void ordinaryBytesOfALineReachTheSinkAsOneWritePerRun() throws IOException {
    List<Integer> writes = new ArrayList<>();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    java.io.OutputStream sink = new java.io.OutputStream() {
      @Override
      public void write(int b) {
        writes.add(1);
        content.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writes.add(len);
        content.write(b, off, len);
      }
    };
    byte[] input = ("Subject: runs\r\n\r\n" + "y".repeat(500) + "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII);
    MessageContentDecoder decoder = new MessageContentDecoder(1 << 20, 1000, BareLineEndings.NORMALIZE);

    decoder.feed(input, 0, input.length, sink);

    assertThat(content.toString(StandardCharsets.US_ASCII)).isEqualTo("Subject: runs\r\n\r\n" + "y".repeat(500) + "\r\n");
    assertThat(writes).contains(500);
    assertThat(writes.size()).isLessThan(20);
  }

  @ParameterizedTest(name = "{index}: chunk {0}")
  @ValueSource(ints = {1, 3, 61, 4096})
  void runsCutAtTheSizeLimitExactlyAsBytesWouldBe(int chunk) throws IOException {
    Decoded d = decode("x".repeat(250) + "\r\n" + "z".repeat(300) + "\r\n.\r\n", chunk, BareLineEndings.NORMALIZE, 400, 1000);
    assertThat(d.summary().tooBig()).isTrue();
    assertThat(d.summary().size()).isEqualTo(554);
    assertThat(d.content()).isEqualTo("x".repeat(250) + "\r\n" + "z".repeat(148));
  }

  @ParameterizedTest(name = "{index}: chunk {0}")
  @ValueSource(ints = {1, 3, 61, 4096})
  void runsStopAtTheLineLimitAndTheRestOfTheMessageIsNotWritten(int chunk) throws IOException {
    Decoded d = decode("ok\r\n" + "w".repeat(120) + "\r\nafter\r\n.\r\n", chunk, BareLineEndings.NORMALIZE, 1 << 20, 100);
    assertThat(d.summary().lineTooLong()).isTrue();
    assertThat(d.finished()).isTrue();
    assertThat(d.content()).isEqualTo("ok\r\n" + "w".repeat(98));
  }
}
