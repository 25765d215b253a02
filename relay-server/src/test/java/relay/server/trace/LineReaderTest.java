package relay.server.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private static List<String> lines(InputStream in) throws IOException {
    List<String> out = new ArrayList<>();
    new LineReader().read(in, (b, s, e) -> out.add(new String(b, s, e - s, StandardCharsets.UTF_8)));
    return out;
  }

  /** A stream that hands out at most three octets per read, as a slow pipe would. */
  private static InputStream trickle(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 3));
      }
    };
  }

  @Test
  void splitsAtLineBreaksWhateverTheReadsSizeAndKeepsALastLineWithoutOne() throws IOException {
    assertThat(lines(trickle("one\ntwo\n\nthree"))).containsExactly("one", "two", "three");
  }

  @Test
  void aLineLongerThanTheBufferIsReadWhole() throws IOException {
    String longLine = "x".repeat(3 << 20);
    assertThat(lines(new ByteArrayInputStream(("a\n" + longLine + "\nb\n").getBytes(StandardCharsets.US_ASCII))))
        .containsExactly("a", longLine, "b");
  }

  @Test
  void stopsWhenTold() throws IOException {
    List<String> seen = new ArrayList<>();
    boolean complete = new LineReader().read(new ByteArrayInputStream("a\nb\nc\n".getBytes(StandardCharsets.US_ASCII)),
        (b, s, e) -> seen.add(new String(b, s, e - s, StandardCharsets.US_ASCII)) && seen.size() < 2);
    assertThat(complete).isFalse();
    assertThat(seen).containsExactly("a", "b");
  }
}
