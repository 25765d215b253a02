package relay.server.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Dates as real Received fields write them, RFC 5322 and its obsolete forms. */
class MailDateTextTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Mon, 23 Nov 2026 08:15:30 +0000                  | 2026-11-23T08:15:30Z
      Mon, 23 Nov 2026 09:15:30 +0100 (CET)            | 2026-11-23T08:15:30Z
      23 Nov 2026 08:15:30 -0000                       | 2026-11-23T08:15:30Z
      Mon, 23 Nov 2026 08:15 +0000                     | 2026-11-23T08:15:00Z
      23 Nov 26 03:15:30 EST                           | 2026-11-23T08:15:30Z
      Mon, 23 Nov 126 08:15:30 GMT                     | 2026-11-23T08:15:30Z
      Mon , 23 Nov 2026 08 : 15 : 30 PST               | 2026-11-23T16:15:30Z
      Mon, 23 (the day) Nov 2026 08:15:30.1234567 +0000 | 2026-11-23T08:15:30Z
      Mon Nov 23 08:15:30 2026                         | 2026-11-23T08:15:30Z
      Mon, 23 November 2026 08:15:30 Z                 | 2026-11-23T08:15:30Z
      Mon, 23 Nov 2026 08:15:30 +05:30                 | 2026-11-23T02:45:30Z
      Mon, 23 Nov 99 08:15:30 +0000                    | 1999-11-23T08:15:30Z
      """)
  void readsTheFormsMailCarries(String text, String expected) {
    assertThat(MailDateText.parse(text)).hasValueSatisfying(d -> assertThat(d.toInstant()).isEqualTo(Instant.parse(expected)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "yesterday", "Mon, 31 Feb 2026 08:15:30 +0000", "23 Nov 2026", "08:15:30 +0000"})
  void whatIsNotADateIsEmpty(String text) {
    assertThat(MailDateText.parse(text)).isEmpty();
  }
}
