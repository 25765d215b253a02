package relay.server.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte pre-filter agrees with the full comparison on every position, word boundaries included. */
class NeedleTest {

  private static boolean in(Needle needle, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return needle.in(bytes, 0, bytes.length);
  }

  @Test
  void findsATermAtEveryOffsetAcrossEightByteWordsAndNotOneLetterShort() {
    for (int offset = 0; offset < 20; offset++) {
      String text = "x".repeat(offset) + "needle.user@fabrikam.com" + "y".repeat(offset % 3);
      assertThat(in(Needle.exact("needle.user@fabrikam.com"), text)).as("offset %d", offset).isTrue();
      assertThat(in(Needle.foldingCase("NEEDLE.user@Fabrikam.COM"), text)).as("offset %d", offset).isTrue();
      assertThat(in(Needle.exact("needle.user@fabrikam.comz"), text)).isFalse();
      // The search starts from the term's rarest byte (here the M), not its first.
      String ids = "\"at\":\"2026-03-01T08:00:00.123Z\"," + "0".repeat(offset) + "01M95KZZHP4W";
      assertThat(in(Needle.exact("01M95KZZHP4W"), ids)).as("offset %d", offset).isTrue();
      assertThat(in(Needle.exact("01M95KZZHP4X"), ids)).isFalse();
      assertThat(in(Needle.exact("001M95"), "01M95")).isFalse();
    }
  }

  @Test
  void foldsAsciiLettersOnlyAndNeverOtherBytes() {
    assertThat(in(Needle.foldingCase("scan"), "{\"subject\":\"SCANNED\"}")).isTrue();
    assertThat(in(Needle.exact("scan"), "{\"subject\":\"SCANNED\"}")).isFalse();
    // '@' (0x40) and '`' (0x60) differ only in the case bit: not letters, never folded.
    assertThat(in(Needle.foldingCase("@x"), "`x")).isFalse();
    assertThat(in(Needle.foldingCase("Ä"), "ä")).isFalse();
    assertThat(in(Needle.foldingCase("rüd"), "RüD")).isTrue();
  }

  @Test
  void agreesWithTheTextComparisonOnRandomLines() {
    Random random = new Random(7);
    String alphabet = "abcABC@.\"xyz";
    for (int round = 0; round < 2000; round++) {
      StringBuilder line = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        line.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String term = "a" + alphabet.charAt(random.nextInt(6)) + (random.nextBoolean() ? "b" : "");
      assertThat(in(Needle.foldingCase(term), line.toString())).as("%s in %s", term, line)
          .isEqualTo(Ascii.containsIgnoreCase(line.toString(), term));
      assertThat(in(Needle.exact(term), line.toString())).isEqualTo(line.toString().contains(term));
    }
  }

  @Test
  void aTermJsonWouldEscapeCannotBeANeedle() {
    assertThat(Needle.usable("scanner@contoso.com")).isTrue();
    assertThat(Needle.usable("say \"hi\"")).isFalse();
    assertThat(Needle.usable("a\\b")).isFalse();
    assertThat(Needle.usable("tab\there")).isFalse();
    assertThat(Needle.usable("")).isFalse();
  }
}
