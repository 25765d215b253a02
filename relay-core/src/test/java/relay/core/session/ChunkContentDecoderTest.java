package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkContentDecoderTest {

  /** Feeds {@code content} in pieces of {@code piece} octets, as chunks or reads may split it. */
  private static DataSummary scan(String content, int piece, int maxLine) {
    byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
    ChunkContentDecoder decoder = new ChunkContentDecoder(maxLine);
    for (int off = 0; off < bytes.length; off += piece) {
      decoder.feed(bytes, off, Math.min(piece, bytes.length - off));
    }
    return decoder.summary();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 1000})
  void crlfTextIsCleanWhereverTheChunksSplitIt(int piece) {
    DataSummary s = scan("Subject: a\r\n\r\nline\r\n.\r\n..\r\n", piece, 1000);
    assertThat(s).isEqualTo(new DataSummary(27, false, false, false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\nb\r\n", "a\rb\r\n", "a\r\r\n", "a\r\n\n", "a\r\nb\r"})
  void bareCrOrLfIsNotedAnywhereIncludingACrAtTheVeryEnd(String content) {
    assertThat(scan(content, 1, 1000).bareLineEnding()).isTrue();
    assertThat(scan(content, 100, 1000).bareLineEnding()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void nulOctetsAndMessagesWithoutAFinalLineEndAreNoBareLineEnding(int piece) {
    DataSummary s = scan("x\u0000y\r\nno end", piece, 1000);
    assertThat(s.bareLineEnding()).isFalse();
    assertThat(s.size()).isEqualTo(11);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 1000})
  void lineLongerThanTheLimitCountingCrlfIsNoted(int piece) {
    assertThat(scan("x".repeat(998) + "\r\n", piece, 1000).lineTooLong()).isFalse();
    assertThat(scan("x".repeat(999) + "\r\n", piece, 1000).lineTooLong()).isTrue();
    assertThat(scan(("x".repeat(998) + "\r\n").repeat(3), piece, 1000).lineTooLong()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void aBareLineEndStartsANewLineForTheLengthCount(int piece) {
    assertThat(scan("x".repeat(900) + "\n" + "y".repeat(900) + "\r\n", piece, 1000).lineTooLong()).isFalse();
  }
}
