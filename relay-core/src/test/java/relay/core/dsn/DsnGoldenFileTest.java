package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static relay.core.dsn.DsnFixtures.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.MailPath;

/**
 * Compares whole notifications byte for byte with reviewed files in {@code src/test/resources/dsn}.
 * Fixed times and tokens make the output reproducible. After an intended change, run once with
 * {@code -Ddsn.updateGolden=true}: the files are rewritten and the test fails so that the new files
 * are reviewed (git diff) before they are trusted.
 */
class DsnGoldenFileTest {

  private static final AttemptReport FIVE_FIVE_ONE_ONE = reply("mx1.example.net", 550, "5.1.1",
      "<alice@example.net>: Recipient address rejected: User unknown in virtual mailbox table");

  @Test
  void permanentFailureListsOnlyTheRecipientWhoAskedAndReturnsTheMessage() throws IOException {
    DeliveryReport report = report(envelope(),
        RecipientReport.failed(ALICE, FIVE_FIVE_ONE_ONE, after(Duration.ofMinutes(1))),
        RecipientReport.failed(BOB, reply("mx1.example.net", 550, "5.1.1", "<bob@example.net>: User unknown"),
            after(Duration.ofMinutes(1))));

    DeliveryStatusNotification dsn = builder().build(report, after(Duration.ofMinutes(1))).orElseThrow();

    assertGolden("permanent-failure.eml", bytes(dsn, MemoryBody.of(ORIGINAL)));
  }

  @Test
  void expiryAfterTwoDaysWithRetFullAndEnvidReturnsTheWholeMessage() throws IOException {
    Duration twoDays = Duration.ofDays(2);
    DeliveryReport report = report(envelope(SCANNER, DsnReturn.FULL, "scan+2B0042"),
        RecipientReport.expired(ALICE,
            local(LocalCause.CONNECTION_FAILED, "connect to mx1.example.net[203.0.113.5]:25: Connection timed out"),
            after(twoDays.minusMinutes(20))),
        RecipientReport.expired(CAROL, reply("mx.example.org", 451, "4.3.0", "Mailbox temporarily unavailable"),
            after(twoDays.minusMinutes(20))));

    DeliveryStatusNotification dsn = builder().build(report, after(twoDays)).orElseThrow();

    assertGolden("expiry-ret-full-envid.eml", bytes(dsn, MemoryBody.of(ORIGINAL)));
  }

  @Test
  void delayNoticeAfterFourHoursReturnsHeadersOnly() throws IOException {
    DeliveryReport report = report(envelope(),
        RecipientReport.delayed(CAROL,
            reply("mx.example.org", 421, "4.7.0", "mx.example.org Service busy, try again later"),
            after(Duration.ofMinutes(230)), after(Duration.ofDays(2))));

    DeliveryStatusNotification dsn = builder().build(report, after(Duration.ofHours(4))).orElseThrow();

    assertGolden("delay.eml", bytes(dsn, MemoryBody.of(ORIGINAL)));
  }

  @Test
  void retHdrsReturnsOnlyTheHeaderSection() throws IOException {
    DeliveryReport report = report(envelope(SCANNER, DsnReturn.HDRS, null),
        RecipientReport.failed(CAROL, reply("mx.example.org", 552, "5.2.2", "<carol@example.org>: Mailbox full"),
            after(Duration.ofMinutes(3))));

    DeliveryStatusNotification dsn = builder().build(report, after(Duration.ofMinutes(3))).orElseThrow();

    assertGolden("ret-hdrs.eml", bytes(dsn, MemoryBody.of(ORIGINAL)));
  }

  @Test
  void reportAddressReceivesTheNotificationInsteadOfTheDevice() throws IOException {
    DsnSettings settings = DsnSettings.DEFAULTS.withReportAddress(MailPath.parse("postmaster@office.example.com"));
    DeliveryReport report = report(envelope(),
        RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.7.1", "Message rejected as spam"),
            after(Duration.ofMinutes(2))));

    DeliveryStatusNotification dsn =
        new DsnBuilder(settings, countingTokens()).build(report, after(Duration.ofMinutes(2))).orElseThrow();

    assertThat(dsn.recipient()).isEqualTo(MailPath.parse("postmaster@office.example.com"));
    assertGolden("report-address.eml", bytes(dsn, MemoryBody.of(ORIGINAL)));
  }

  private static void assertGolden(String name, byte[] actual) throws IOException {
    if (Boolean.getBoolean("dsn.updateGolden")) {
      Files.write(Path.of("src/test/resources/dsn", name), actual);
      fail("rewrote golden file %s; review it and run again without dsn.updateGolden", name);
    }
    try (InputStream in = DsnGoldenFileTest.class.getResourceAsStream("/dsn/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      // ISO-8859-1 maps each byte to one char: an exact comparison with a readable diff.
      assertThat(new String(actual, StandardCharsets.ISO_8859_1))
          .isEqualTo(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }
  }
}
