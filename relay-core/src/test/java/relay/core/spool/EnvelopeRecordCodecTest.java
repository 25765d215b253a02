package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Domain;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;

class EnvelopeRecordCodecTest {

  private final EnvelopeRecordCodec codec = new EnvelopeRecordCodec();

  private static QueuedMessage withStates(Envelope envelope) {
    List<RecipientState> states =
        envelope.recipients().stream().map(RecipientState::pending).toList();
    return new QueuedMessage(
        new MessageId("01ABC-def_9"), envelope, states, 0, SpoolFixtures.RECEIVED, 4711);
  }

  @Test
  void everyEnvelopeFieldAndDeliveryStateSurvivesARoundTrip() throws Exception {
    Envelope envelope = SpoolFixtures.envelope();
    QueuedMessage message =
        new QueuedMessage(
            new MessageId("0QZ3X7Y0000000ABCDEFGH"),
            envelope,
            List.of(
                new RecipientState(
                    envelope.recipients().get(0), RecipientStatus.DELIVERED, 2, "250 2.0.0 Ok"),
                new RecipientState(
                    envelope.recipients().get(1), RecipientStatus.FAILED, 3, "550 5.1.1 no such user")),
            3,
            Instant.parse("2026-11-23T11:00:00.5Z"),
            123_456_789_012L);

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
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
                    "550 5.7.60 SMTP; Client does not have permissions to send as this sender"),
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
    byte[] record = codec.encode(withStates(SpoolFixtures.envelope()));

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
  void connectorAndTlsRequirementSurviveAVersion2RoundTrip() throws Exception {
    Envelope envelope = SpoolFixtures.envelope();
    QueuedMessage message =
        withStates(envelope).withConnector("partner");
    QueuedMessage tls = new QueuedMessage(message.id(), envelope, message.recipients(), 1,
        SpoolFixtures.RECEIVED, 99, "m365", true);

    assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    assertThat(codec.decode(codec.encode(tls))).isEqualTo(tls);
    assertThat(codec.encode(tls)[1]).isEqualTo((byte) 2);
  }

  @Test
  void aVersion1RecordIsReadWithItsConnectorLeftToTheRuntime() throws Exception {
    QueuedMessage written = withStates(SpoolFixtures.envelope());
    // Version 1 is version 2 without the trailing connector (4-byte null length) and TLS flag.
    byte[] v2 = codec.encode(written);
    byte[] v1 = Arrays.copyOf(v2, v2.length - 5);
    v1[0] = 0;
    v1[1] = 1;

    QueuedMessage read = codec.decode(v1);

    assertThat(read).isEqualTo(written);
    assertThat(read.connectorName()).isEmpty();
    assertThat(read.requireTls()).isFalse();
  }

  @Test
  void aVersion1RecordWithTrailingBytesIsCorrupt() {
    byte[] v2 = codec.encode(withStates(SpoolFixtures.envelope()).withConnector("x"));
    v2[0] = 0;
    v2[1] = 1;

    assertThatThrownBy(() -> codec.decode(v2)).isInstanceOf(CorruptRecordException.class);
  }
}
