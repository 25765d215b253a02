package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Domain;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

class EnvelopeRecordCodecTest {

  private final EnvelopeRecordCodec codec = new EnvelopeRecordCodec();

  private static QueuedMessage withStates(Envelope envelope) {
    List<RecipientState> states =
        envelope.recipients().stream().map(RecipientState::pending).toList();
    return new QueuedMessage(
        new MessageId("01ABC-def_9"), envelope, states, 0, SpoolFixtures.RECEIVED, 4711);
  }

  private static final UpstreamHop VERIFIED_HOP = new UpstreamHop("smtp.office365.com", "2001:db8::25",
      new UpstreamHop.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "smtp.office365.com"), "hr@contoso.com");

  /** A message whose two recipients carry every part a last reply can have. */
  private static QueuedMessage withReports(AttemptReport first, AttemptReport second) {
    Envelope envelope = SpoolFixtures.envelope();
    return new QueuedMessage(
        new MessageId("0QZ3X7Y0000000ABCDEFGH"),
        envelope,
        List.of(
            new RecipientState(envelope.recipients().get(0), RecipientStatus.DELIVERED, 2, first),
            new RecipientState(envelope.recipients().get(1), RecipientStatus.FAILED, 3, second)),
        3,
        Instant.parse("2026-11-23T11:00:00.5Z"),
        123_456_789_012L);
  }

  @Test
  void everyEnvelopeFieldAndDeliveryStateSurvivesARoundTrip() throws Exception {
    QueuedMessage message = withReports(
        new AttemptReport.Replied(
            new SmtpReply(250, EnhancedStatus.parse("2.0.0"), List.of("Ok queued as 4711", "second line")),
            VERIFIED_HOP),
        new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "no such user"), UpstreamHop.plain("mx.example", "192.0.2.9")));

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
  }

  @Test
  void replyWithoutEnhancedStatusOrHopAndTlsWithoutVerifiedNameSurviveARoundTrip() throws Exception {
    QueuedMessage message = withReports(
        new AttemptReport.Replied(SmtpReply.of(554, null, "go away")),
        new AttemptReport.Local(LocalCause.CONNECTION_LOST, "mx.example:25: no progress from the upstream for 30s",
            new UpstreamHop("mx.example", "192.0.2.9", new UpstreamHop.Tls("TLSv1.2", "TLS_ECDHE_RSA", null), null)));

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
  }

  @ParameterizedTest
  @EnumSource(LocalCause.class)
  void everyLocalCauseSurvivesARoundTrip(LocalCause cause) throws Exception {
    QueuedMessage message = withReports(null, new AttemptReport.Local(cause, "what happened: " + cause));

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
  }

  @Test
  void aVersion2RecordHasItsTextRepliesReadIntoValuesOnce() throws Exception {
    QueuedMessage typed = withReports(null, null);
    byte[] v2 = PreviousReleaseRecord.write(typed, List.of(
        "550 5.1.1 <bob@example.net>: User unknown / in virtual table",
        "mx.example.net[203.0.113.5]:25: Connection refused"), 2);

    QueuedMessage read = codec.decode(v2);

    assertThat(read.recipients()).extracting(RecipientState::lastReply).containsExactly(
        new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "<bob@example.net>: User unknown / in virtual table")),
        new AttemptReport.Local(LocalCause.UNCLASSIFIED, "mx.example.net[203.0.113.5]:25: Connection refused"));
    // Everything else reads as it was written; the next write is version 3.
    assertThat(read.withState(typed.recipients(), typed.attempts(), typed.nextAttemptAt())).isEqualTo(typed);
    assertThat(codec.encode(read)[1]).isEqualTo((byte) EnvelopeRecordCodec.VERSION);
  }

  @Test
  void aVersion2ReplyWithoutEnhancedStatusOrWithAContextSuffixKeepsItsWholeText() throws Exception {
    byte[] v2 = PreviousReleaseRecord.write(withReports(null, null), List.of(
        "421 Service not available",
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded (mailbox hr@contoso.com)"), 2);

    assertThat(codec.decode(v2).recipients()).extracting(RecipientState::lastReply).containsExactly(
        new AttemptReport.Replied(SmtpReply.of(421, null, "Service not available")),
        new AttemptReport.Replied(SmtpReply.of(432, "4.3.2",
            "STOREDRV.ClientSubmit; sender thread limit exceeded (mailbox hr@contoso.com)")));
  }

  @Test
  void aVersion2ReasonThatOnlyLooksLikeAReplyStaysAReason() throws Exception {
    byte[] v2 = PreviousReleaseRecord.write(withReports(null, null), List.of(
        "expired in queue; last: 451 4.4.1 no answer", "4711 is not a reply code"), 2);

    assertThat(codec.decode(v2).recipients()).extracting(RecipientState::lastReply).containsExactly(
        new AttemptReport.Local(LocalCause.UNCLASSIFIED, "expired in queue; last: 451 4.4.1 no answer"),
        new AttemptReport.Local(LocalCause.UNCLASSIFIED, "4711 is not a reply code"));
  }

  @Test
  void heldRecipientWithItsReasonSurvivesARoundTrip() throws Exception {
    Envelope envelope = SpoolFixtures.envelope();
    QueuedMessage message =
        new QueuedMessage(
            new MessageId("0QZ3X7Y0000000ABCDEFGJ"),
            envelope,
            List.of(
                new RecipientState(envelope.recipients().get(0), RecipientStatus.HELD, 1,
                    new AttemptReport.Replied(
                        SmtpReply.of(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender"),
                        VERIFIED_HOP)),
                new RecipientState(envelope.recipients().get(1), RecipientStatus.PENDING, 1, null)),
            1,
            Instant.parse("2026-11-23T11:00:00Z"),
            42L);

    QueuedMessage decoded = codec.decode(codec.encode(message));

    assertThat(decoded).isEqualTo(message);
    assertThat(decoded.recipients().getFirst().status()).isEqualTo(RecipientStatus.HELD);
  }

  @Test
  void nullSenderAndAbsentOptionalParametersSurviveARoundTrip() throws Exception {
    Envelope envelope =
        new Envelope(
            MailPath.NULL,
            MailParameters.NONE,
            List.of(Recipient.of(MailPath.parse("postmaster@example.com"))),
            new ClientInfo("::1", 0, "", false, "default"),
            Instant.EPOCH);
    QueuedMessage message = withStates(envelope);

    QueuedMessage decoded = codec.decode(codec.encode(message));

    assertThat(decoded).isEqualTo(message);
    assertThat(decoded.envelope().sender().isNull()).isTrue();
    assertThat(decoded.envelope().parameters().dsnReturn()).isNull();
    assertThat(decoded.envelope().parameters().envelopeId()).isNull();
    assertThat(decoded.recipients().getFirst().lastReply()).isNull();
  }

  @Test
  void utf8LocalPartsDomainsAndEveryNotifyCombinationSurviveARoundTrip() throws Exception {
    Envelope envelope =
        new Envelope(
            new MailPath("jörg.müller+☃", new Domain("bücher.example")),
            MailParameters.NONE,
            List.of(
                new Recipient(
                    new MailPath("用户😀", new Domain("例え.jp")),
                    EnumSet.of(DsnNotify.NEVER),
                    "utf-8;用户😀@例え.jp"),
                new Recipient(
                    new MailPath("\"odd @ quoted\"", new Domain("[192.0.2.1]")),
                    EnumSet.of(DsnNotify.SUCCESS, DsnNotify.FAILURE, DsnNotify.DELAY),
                    null),
                new Recipient(MailPath.parse("plain@example.com"), Set.of(), null)),
            new ClientInfo("2001:db8::1", 65535, "ünïcødé-helo", true, "apps"),
            SpoolFixtures.RECEIVED);
    QueuedMessage message = withStates(envelope);

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
  }

  @Test
  void unknownRecordVersionIsRejectedAsCorrupt() {
    byte[] record = codec.encode(withStates(SpoolFixtures.envelope()));
    record[1] = (byte) (EnvelopeRecordCodec.VERSION + 1);

    assertThatThrownBy(() -> codec.decode(record))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("version");
  }

  @Test
  void everyTruncationOfARecordIsRejectedAsCorrupt() {
    byte[] record = codec.encode(withReports(
        new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "Ok"), VERIFIED_HOP),
        new AttemptReport.Local(LocalCause.TLS_FAILED, "certificate expired", UpstreamHop.plain("mx", "192.0.2.1"))));

    for (int length = 0; length < record.length; length++) {
      byte[] cut = Arrays.copyOf(record, length);
      assertThatThrownBy(() -> codec.decode(cut))
          .as("record cut to %d of %d bytes", length, record.length)
          .isInstanceOf(CorruptRecordException.class);
    }
  }

  @Test
  void trailingBytesAfterARecordAreRejectedAsCorrupt() {
    byte[] record = codec.encode(withStates(SpoolFixtures.envelope()));
    byte[] longer = Arrays.copyOf(record, record.length + 1);

    assertThatThrownBy(() -> codec.decode(longer)).isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void malformedUtf8IsRejectedRatherThanReplaced() {
    Envelope envelope = SpoolFixtures.envelope();
    byte[] record = codec.encode(withStates(envelope));
    // The id "01ABC-def_9" starts after the version (2 bytes) and its length (4 bytes).
    record[6] = (byte) 0xC3;

    assertThatThrownBy(() -> codec.decode(record))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void connectorAndTlsRequirementSurviveARoundTrip() throws Exception {
    Envelope envelope = SpoolFixtures.envelope();
    QueuedMessage message =
        withStates(envelope).withConnector("partner");
    QueuedMessage tls = new QueuedMessage(message.id(), envelope, message.recipients(), 1,
        SpoolFixtures.RECEIVED, 99, "m365", true);

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    assertThat(codec.decode(codec.encode(tls))).isEqualTo(tls);
    assertThat(codec.encode(tls)[1]).isEqualTo((byte) 3);
  }

  @Test
  void aVersion1RecordIsReadWithItsConnectorLeftToTheRuntime() throws Exception {
    QueuedMessage written = withStates(SpoolFixtures.envelope());
    byte[] v1 = PreviousReleaseRecord.write(written, Arrays.asList(null, null), 1);

    QueuedMessage read = codec.decode(v1);

    assertThat(read).isEqualTo(written);
    assertThat(read.connectorName()).isEmpty();
    assertThat(read.requireTls()).isFalse();
  }

  @Test
  void aVersion1RecordWithTrailingBytesIsCorrupt() {
    QueuedMessage message = withStates(SpoolFixtures.envelope()).withConnector("x");
    byte[] v2 = PreviousReleaseRecord.write(message, Arrays.asList(null, null), 2);
    v2[1] = 1;

    assertThatThrownBy(() -> codec.decode(v2)).isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void unknownLastReplyKindOrLocalCauseIsRejectedAsCorrupt() {
    QueuedMessage message = withReports(null, new AttemptReport.Local(LocalCause.PACED, "x"));
    byte[] record = codec.encode(message);
    // The second recipient's report ends the recipients: kind, cause, str "x" (4 + 1 bytes), no hop,
    // then the connector (null: 4 bytes) and the TLS flag.
    int cause = record.length - 1 - 4 - 1 - 5 - 1;
    byte[] badCause = record.clone();
    badCause[cause] = 99;
    byte[] badKind = record.clone();
    badKind[cause - 1] = 7;

    assertThatThrownBy(() -> codec.decode(badCause)).isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("cause");
    assertThatThrownBy(() -> codec.decode(badKind)).isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("kind");
  }
}
