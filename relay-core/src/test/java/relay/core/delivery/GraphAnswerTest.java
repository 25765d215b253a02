package relay.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Graph's answers, as the replies Relay records, mean what the issue says through the one classifier. */
class GraphAnswerTest {

  private final ReplyClassifier classifier = ReplyClassifier.standard();

  private ReplyMeaning meaning(int status, String code) {
    return classifier.classify(new GraphAnswer(status, code, "said", null).reply());
  }

  @Test
  void eachAnswerHasTheMeaningOfItsClass() {
    assertThat(meaning(202, "")).isEqualTo(ReplyMeaning.DELIVERED);
    assertThat(meaning(403, "ErrorAccessDenied")).isEqualTo(ReplyMeaning.CONFIGURATION);
    assertThat(meaning(401, "InvalidAuthenticationToken")).isEqualTo(ReplyMeaning.CONFIGURATION);
    assertThat(meaning(404, "ErrorInvalidUser")).isEqualTo(ReplyMeaning.CONFIGURATION);
    assertThat(meaning(403, "ErrorSendAsDenied")).isEqualTo(ReplyMeaning.CONFIGURATION);
    assertThat(meaning(400, "ErrorInvalidRecipients")).isEqualTo(ReplyMeaning.PERMANENT);
    assertThat(meaning(429, "ApplicationThrottled")).isEqualTo(ReplyMeaning.THROTTLED);
    assertThat(meaning(500, "InternalServerError")).isEqualTo(ReplyMeaning.TRANSIENT);
    assertThat(meaning(503, "ServiceUnavailable")).isEqualTo(ReplyMeaning.TRANSIENT);
    assertThat(meaning(504, "")).isEqualTo(ReplyMeaning.TRANSIENT);
  }

  @Test
  void theReplySaysWhatGraphSaid() {
    GraphAnswer answer = new GraphAnswer(429, "ApplicationThrottled", "Too many\r\nrequests", Duration.ofSeconds(7));
    assertThat(answer.reply().toString())
        .isEqualTo("451 4.3.2 Graph HTTP 429 ApplicationThrottled: Too many requests (Retry-After 7s)");
  }

  @Test
  void anSmtpReplyWithTheSameCodesIsNotTakenForGraphs() {
    assertThat(classifier.classify(relay.core.reply.SmtpReply.of(530, "5.7.0", "Authentication required")))
        .isEqualTo(ReplyMeaning.PERMANENT);
  }
}
