package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataStreamTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String sent(byte[] content, int chunk, long expectedSize) throws IOException {
    ByteArrayOutputStream socket = new ByteArrayOutputStream();
    DataStream data = new DataStream(socket, expectedSize);
    for (int off = 0; off < content.length; off += chunk) {
      data.write(content, off, Math.min(chunk, content.length - off));
    }
    data.finish();
    return socket.toString(StandardCharsets.ISO_8859_1);
  }

  private static String sentByteByByte(byte[] content) throws IOException {
    ByteArrayOutputStream socket = new ByteArrayOutputStream();
    DataStream data = new DataStream(socket, content.length);
    for (byte b : content) {
      data.write(b);
    }
    data.finish();
    return socket.toString(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Subject: a\\r\\n\\r\\nbody\\r\\n|Subject: a\\r\\n\\r\\nbody\\r\\n.\\r\\n",
      ".leading\\r\\n..two\\r\\nmid.dle\\r\\n|..leading\\r\\n...two\\r\\nmid.dle\\r\\n.\\r\\n",
      "bare\\nlf\\rcr\\r\\n.|bare\\r\\nlf\\r\\ncr\\r\\n..\\r\\n.\\r\\n",
      "no final break|no final break\\r\\n.\\r\\n",
      ".|..\\r\\n.\\r\\n",
  })
  void lineBreaksAreMadeCrlfLeadingDotsDoubledAndTheEndLineSent(String content, String wire) throws IOException {
    byte[] in = bytes(content.replace("\\r", "\r").replace("\\n", "\n"));
    String expected = wire.replace("\\r", "\r").replace("\\n", "\n");
    for (int chunk : new int[] {1, 2, 3, 7, in.length}) {
      assertThat(sent(in, chunk, in.length)).as("written %d bytes at a time", chunk).isEqualTo(expected);
    }
  }

  /** Runs of plain bytes are copied in bulk: the result must not depend on how writes cut the content. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void bulkWritesSendExactlyWhatByteByByteWritesSend(long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] alphabet = bytes("ab.\r\n");
    // Longer than the largest buffer, so that runs also cross a drain.
    byte[] content = new byte[random.nextInt(1, 200_000)];
    for (int i = 0; i < content.length; i++) {
      content[i] = alphabet[random.nextInt(random.nextInt(10) == 0 ? alphabet.length : 2)];
    }
    String reference = sentByteByByte(content);

    assertThat(sent(content, random.nextInt(1, 9000), 512)).isEqualTo(reference);
    assertThat(sent(content, content.length, content.length)).isEqualTo(reference);
  }
}
