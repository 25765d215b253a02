package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import relay.core.routing.header.HeaderSection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The header section is kept whole however the content is cut into chunks, and nothing beyond it. */
class HeaderCaptureTest {

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of("Subject: a\r\nFrom: b@c.example\r\n\r\nbody\r\nmore\r\n", "Subject: a\r\nFrom: b@c.example\r\n\r\n"),
        Arguments.of("Subject: bare\nX-A: 1\n\nbody\n", "Subject: bare\nX-A: 1\n\n"),
        Arguments.of("\r\nno headers at all\r\n", "\r\n"),
        Arguments.of("Subject: never ends\r\nX: y\r\n", "Subject: never ends\r\nX: y\r\n"))
        .flatMap(a -> IntStream.of(1, 2, 3, 7, 1000).mapToObj(size -> Arguments.of(a.get()[0], a.get()[1], size)));
  }

  @ParameterizedTest(name = "{2}-byte chunks: {0}")
  @MethodSource("messages")
  void keepsExactlyTheHeaderSection(String message, String expectedHead, int chunk) {
    HeaderCapture capture = new HeaderCapture(HeaderCapture.DEFAULT_LIMIT);
    feed(capture, message, chunk);

    assertThat(capture.size()).isEqualTo(expectedHead.length());
    assertThat(capture.section()).isEqualTo(HeaderSection.parse(expectedHead.getBytes(StandardCharsets.US_ASCII)));
  }

  @ParameterizedTest(name = "{0}-byte chunks")
  @MethodSource("chunkSizes")
  void stopsAtTheLimit(int chunk) {
    HeaderCapture capture = new HeaderCapture(10);
    feed(capture, "X-Long: 0123456789abcdef\r\n\r\nbody\r\n", chunk);

    assertThat(capture.size()).isEqualTo(10);
  }

  static IntStream chunkSizes() {
    return IntStream.of(1, 3, 10, 11, 100);
  }

  private static void feed(HeaderCapture capture, String message, int chunk) {
    byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < bytes.length; at += chunk) {
      capture.accept(bytes, at, Math.min(chunk, bytes.length - at));
    }
  }
}
