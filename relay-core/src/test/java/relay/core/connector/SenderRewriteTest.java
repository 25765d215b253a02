package relay.core.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import relay.core.routing.header.HeaderSection;

class SenderRewriteTest {

  private final SenderRewrite rewrite = new SenderRewrite("scanner@contoso.com");

  @Test
  void fromBecomesTheAddressAndTheOriginalFromMovesToReplyTo() {
    HeaderSection section = parse("From: Scanner 3F <scanner@localhost>\r\nSubject: scan\r\n\r\nbody\r\n");

    HeaderSection edited = section.apply(rewrite.edits(section));

    assertThat(edited.first("From")).contains("scanner@contoso.com");
    assertThat(edited.first("Reply-To")).contains("Scanner 3F <scanner@localhost>");
    assertThat(edited.first("Subject")).contains("scan");
  }

  @Test
  void existingReplyToIsKept() {
    HeaderSection section = parse("From: scanner@localhost\r\nReply-To: desk@contoso.com\r\n\r\n");

    HeaderSection edited = section.apply(rewrite.edits(section));

    assertThat(edited.values("Reply-To")).containsExactly("desk@contoso.com");
    assertThat(edited.first("From")).contains("scanner@contoso.com");
  }

  private static HeaderSection parse(String text) {
    return HeaderSection.parse(text.getBytes(StandardCharsets.US_ASCII));
  }
}
