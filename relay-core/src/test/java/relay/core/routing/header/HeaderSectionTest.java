package relay.core.routing.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderSectionTest {

  private static HeaderSection parse(String text) {
    return HeaderSection.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void foldedFieldsAreUnfoldedForLookupAndKeptVerbatimForWriting() {
    String head = "Subject: a long\r\n\tsubject line\r\nTo: x@example.com,\r\n  y@example.com\r\n\r\n";
    HeaderSection h = parse(head + "body\r\n");
    assertThat(h.first("subject")).contains("a long\tsubject line");
    assertThat(h.values("TO")).containsExactly("x@example.com,  y@example.com");
    assertThat(h.text() + "\r\n").isEqualTo(head);
  }

  @Test
  void lengthPointsAtTheBodyAndTheSectionStopsAtTheBlankLine() {
    HeaderSection h = parse("A: 1\r\nB: 2\r\n\r\nC: not a header\r\n");
    assertThat(h.complete()).isTrue();
    assertThat(h.length()).isEqualTo("A: 1\r\nB: 2\r\n\r\n".length());
    assertThat(h.fields()).extracting(HeaderField::name).containsExactly("A", "B");
  }

  @Test
  void bareLineFeedsAreAcceptedAsLineEnds() {
    HeaderSection h = parse("A: 1\n folded\nB: 2\n\nbody");
    assertThat(h.first("a")).contains("1 folded");
    assertThat(h.length()).isEqualTo("A: 1\n folded\nB: 2\n\n".length());
  }

  @Test
  void aPrefixWithoutTheBlankLineIsMarkedIncomplete() {
    HeaderSection h = parse("A: 1\r\nB: 2\r\n");
    assertThat(h.complete()).isFalse();
    assertThat(h.values("b")).containsExactly("2");
  }

  @Test
  void aMessageWithoutHeadersHasAnEmptySection() {
    HeaderSection h = parse("\r\nbody");
    assertThat(h.fields()).isEmpty();
    assertThat(h.length()).isEqualTo(2);
  }

  @Test
  void repeatedFieldsKeepTheirOrder() {
    HeaderSection h = parse("Received: one\r\nX: a\r\nReceived: two\r\n\r\n");
    assertThat(h.values("received")).containsExactly("one", "two");
  }

  @Test
  void latin1HeadersRoundTripByteForByte() {
    byte[] bytes = "Subject: caf\u00e9\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    HeaderSection h = HeaderSection.parse(bytes);
    assertThat(h.subject()).isEqualTo("caf\u00e9");
    assertThat(h.toBytes()).isEqualTo("Subject: caf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "=?UTF-8?B?w4l0w6kgMjAyNg==?= | \u00c9t\u00e9 2026",
    "=?iso-8859-1?q?caf=E9_cr=E8me?= | caf\u00e9 cr\u00e8me",
    "Re: =?UTF-8?Q?r=C3=A9union?= demain | Re: r\u00e9union demain",
    "=?UTF-8?Q?a?= =?UTF-8?Q?b?= | ab",
    "=?UTF-8?B?w6k=?=  =?ISO-8859-1?Q?=E8?= | \u00e9\u00e8",
    "=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9t=C3=A9?= | \u00e9t\u00e9",
    "=?UTF-8*fr?Q?oui?= | oui",
    "=?x-unknown?Q?abc?= stays | =?x-unknown?Q?abc?= stays",
    "plain text | plain text",
  })
  void encodedWordsInTheSubjectAreDecoded(String raw, String decoded) {
    assertThat(parse("Subject: " + raw + "\r\n\r\n").subject()).isEqualTo(decoded);
  }

  @Test
  void editsApplyInOrderAddingAtTheTop() {
    HeaderSection h = parse("From: a@example.com\r\nX-Tag: 1\r\nSubject: hi\r\nX-Tag: 2\r\nX-Old: y\r\n\r\n");
    HeaderSection edited = h.apply(List.of(
        new HeaderEdit.Add("X-Added", "yes"),
        new HeaderEdit.Set("x-tag", "3"),
        new HeaderEdit.Remove("X-OLD"),
        new HeaderEdit.PrependSubject("[EXT] ")));
    assertThat(edited.text()).isEqualTo(
        "X-Added: yes\r\nFrom: a@example.com\r\nx-tag: 3\r\nSubject: [EXT] hi\r\n");
  }

  @Test
  void prependingASubjectTwiceTagsItOnceAndCreatesAMissingSubject() {
    HeaderEdit tag = new HeaderEdit.PrependSubject("[EXT] ");
    assertThat(parse("Subject: hi\r\n\r\n").apply(List.of(tag, tag)).subject()).isEqualTo("[EXT] hi");
    assertThat(parse("From: a@b.c\r\n\r\n").apply(List.of(tag)).text())
        .isEqualTo("Subject: [EXT]\r\nFrom: a@b.c\r\n");
  }

  @Test
  void editsCannotInjectLinesOrBadNames() {
    assertThatThrownBy(() -> new HeaderEdit.Add("X-A", "v\r\nBcc: evil@example.com"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HeaderEdit.Set("X A", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HeaderEdit.Remove("X:A")).isInstanceOf(IllegalArgumentException.class);
  }
}
