package relay.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

class ReplyClassifierTest {

  private final ReplyClassifier classifier = ReplyClassifier.standard();

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      250 | 2.0.0 | Ok queued as ABC                                              | DELIVERED
      251 | 2.1.5 | User not local; will forward                                  | DELIVERED
      250 | -     | Ok                                                            | DELIVERED
      421 | 4.7.0 | Try again later, closing connection                           | TRANSIENT
      450 | 4.2.1 | Mailbox busy                                                  | TRANSIENT
      451 | -     | Local error                                                   | TRANSIENT
      452 | 4.5.3 | Too many recipients                                           | TRANSIENT
      550 | 5.1.1 | User unknown                                                  | PERMANENT
      552 | 5.3.4 | Message too big                                               | PERMANENT
      554 | 5.7.1 | Relay access denied                                           | PERMANENT
      554 | 5.2.0 | STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded | THROTTLED
      554 | 5.2.0 | STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message | THROTTLED
      432 | 4.3.2 | STOREDRV.ClientSubmit; sender thread limit exceeded            | THROTTLED
      550 | 5.2.251 | STOREDRV.Submit; continuous errors, sender throttled         | THROTTLED
      550 | 5.2.255 | STOREDRV.Submit; continuous errors, sender throttled         | THROTTLED
      421 | 4.7.66 | TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2 | CONFIGURATION
      535 | 5.7.3 | Authentication unsuccessful                                   | CONFIGURATION
      535 | 5.7.139 | Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant | CONFIGURATION
      550 | 5.7.30 | Basic authentication is not supported for Client Submission  | CONFIGURATION
      530 | 5.7.57 | Client not authenticated to send mail                       | CONFIGURATION
      550 | 5.7.60 | SMTP; Client does not have permissions to send as this sender | CONFIGURATION
      550 | 5.7.64 | TenantAttribution; Relay Access Denied                       | CONFIGURATION
      550 | 5.7.68 | TenantInboundAttribution; Direct Send not allowed for this organization | CONFIGURATION
      554 | 5.2.2 | mailbox full; STOREDRV.Submission.Exception:QuotaExceededException | CONFIGURATION
      451 | 4.4.7 | Message expired                                               | PERMANENT
      450 | 4.4.7 | Message delayed too long, giving up                           | PERMANENT
      554 | 5.2.0 | STOREDRV.Deliver.Exception:ObjectNotFound                     | PERMANENT
      550 | 5.7.233 | Message can't be submitted, tenant external recipient rate limit exceeded | THROTTLED
      550 | 5.1.8 | Access denied, bad outbound sender                            | PERMANENT
      550 | 5.7.606 | Access denied, banned sending IP [192.0.2.1]                | PERMANENT
      550 | 5.7.649 | Access denied, banned sending IP [192.0.2.1]                | PERMANENT
      550 | 5.7.650 | Something Microsoft has not told us about                   | PERMANENT
      """)
  void repliesAreClassifiedByTheTable(int code, String status, String text, ReplyMeaning expected) {
    assertThat(classifier.classify(SmtpReply.of(code, status, text))).isEqualTo(expected);
  }

  @Test
  void specialRulesComeBeforeTheDefaults() {
    ReplyClassifier custom = new ReplyClassifier(List.of(
        new ReplyRule(550, new EnhancedStatus(5, 7, 708), null, ReplyMeaning.TRANSIENT),
        new ReplyRule(0, null, "greylisted", ReplyMeaning.TRANSIENT)));

    assertThat(custom.classify(SmtpReply.of(550, "5.7.708", "Access denied, traffic not accepted")))
        .isEqualTo(ReplyMeaning.TRANSIENT);
    assertThat(custom.classify(SmtpReply.of(554, "5.7.1", "You are GREYLISTED, come back")))
        .isEqualTo(ReplyMeaning.TRANSIENT);
    assertThat(custom.classify(SmtpReply.of(550, "5.7.1", "Access denied"))).isEqualTo(ReplyMeaning.PERMANENT);
  }

  @Test
  void outcomesKeepTheReportTheyRestOn() {
    Recipient rcpt = Recipient.of(MailPath.parse("a@example.com"));
    UpstreamHop mx = UpstreamHop.plain("mx.example.com", "192.0.2.25");
    AttemptReport unknown = new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "User unknown"), mx);
    AttemptReport ok = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "Ok"), mx);

    assertThat(classifier.outcome(rcpt, unknown)).isEqualTo(new RecipientOutcome.PermanentFailure(rcpt, unknown));
    assertThat(classifier.outcome(rcpt, ok)).isEqualTo(new RecipientOutcome.Delivered(rcpt, ok));
    assertThat(classifier.outcome(rcpt, unknown).detail()).isEqualTo("550 5.1.1 User unknown (mx.example.com[192.0.2.25])");
  }

  @Test
  void configurationProblemsAreHeldAndThrottlingIsDeferredWithTheReplyAsReason() {
    Recipient rcpt = Recipient.of(MailPath.parse("a@example.com"));
    AttemptReport sendAs = new AttemptReport.Replied(
        SmtpReply.of(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender"));

    assertThat(classifier.outcome(rcpt, sendAs)).isEqualTo(new RecipientOutcome.Held(rcpt, sendAs));
    assertThat(classifier.outcome(rcpt, new AttemptReport.Replied(
        SmtpReply.of(554, "5.2.0", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException"))))
        .isInstanceOf(RecipientOutcome.TransientFailure.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      FOLDER_WRITTEN         | DELIVERED
      CONNECTION_FAILED      | TRANSIENT
      CONNECTION_LOST        | TRANSIENT
      DNS_FAILED             | TRANSIENT
      TLS_UNAVAILABLE        | TRANSIENT
      TLS_FAILED             | TRANSIENT
      CREDENTIAL_UNAVAILABLE | TRANSIENT
      LOCAL_ERROR            | TRANSIENT
      UNCLASSIFIED           | TRANSIENT
      PACED                  | THROTTLED
      NO_SUCH_DOMAIN         | PERMANENT
      NULL_MX                | PERMANENT
      MISCONFIGURED          | CONFIGURATION
      """)
  void localCausesAreClassifiedHereToo(LocalCause cause, ReplyMeaning expected) {
    assertThat(classifier.classify(new AttemptReport.Local(cause, "what happened"))).isEqualTo(expected);
  }

  @Test
  void unreachableUpstreamIsTransientAndMisconfiguredConnectorIsHeld() {
    Recipient rcpt = Recipient.of(MailPath.parse("a@example.com"));
    AttemptReport refused = new AttemptReport.Local(LocalCause.CONNECTION_FAILED, "connect to mx:25 refused");
    AttemptReport noMailbox = new AttemptReport.Local(LocalCause.MISCONFIGURED, "no identity maps the sender");

    assertThat(classifier.outcome(rcpt, refused)).isEqualTo(new RecipientOutcome.TransientFailure(rcpt, refused));
    assertThat(classifier.outcome(rcpt, noMailbox)).isEqualTo(new RecipientOutcome.Held(rcpt, noMailbox));
  }

  @Test
  void onlyMicrosoftsAuthenticationUnsuccessfulAsksForAFreshToken() {
    assertThat(classifier.refusesToken(SmtpReply.of(535, "5.7.3", "Authentication unsuccessful"))).isTrue();
    assertThat(classifier.refusesToken(SmtpReply.of(535, "5.7.139", "Authentication unsuccessful, disabled"))).isFalse();
    assertThat(classifier.refusesToken(SmtpReply.of(550, "5.7.3", "Authentication unsuccessful"))).isFalse();
    assertThat(classifier.refusesToken(SmtpReply.of(535, null, "5.7.3 in the text is not the status"))).isFalse();
  }

  @Test
  void rangesCoverEveryDetailBetweenTheirEnds() {
    ReplyRule banned = classifier.rule(SmtpReply.of(550, "5.7.620", "Access denied, banned sending IP")).orElseThrow();

    assertThat(banned.statusLabel()).isEqualTo("5.7.606-649");
    assertThat(banned.note().title()).isEqualTo("Access denied, banned sending IP");
    assertThat(classifier.rule(SmtpReply.of(550, "5.7.650", "Access denied"))).isEmpty();
    assertThat(classifier.rule(SmtpReply.of(550, "5.8.620", "Access denied"))).isEmpty();
  }

  @Test
  void everyStandardRuleExplainsItselfToOperators() {
    assertThat(ReplyClassifier.STANDARD_RULES).allSatisfy(r -> assertThat(r.note()).isNotNull());
  }
}
