package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures export and import of a queue of {@value #MESSAGES} messages of about 4 KB on the test
 * machine's disk (run by hand: {@code ./mvnw -B -ntp -q -o -pl relay-core test
 * -Dtest=SpoolHandOffThroughput -Dsurefire.failIfNoSpecifiedTests=false}); figures in
 * docs/operations.md. Not a behaviour test: its name keeps it out of the normal run.
 */
class SpoolHandOffThroughput {

  private static final int MESSAGES = 10_000;

  @TempDir Path dir;

  @Test
  void exportAndImportRates() throws Exception {
    try (FileSpool source = SpoolFixtures.spool(dir.resolve("a"))) {
      byte[] body = SpoolFixtures.text(("Subject: rate\r\n\r\n" + "x".repeat(76) + "\r\n").repeat(50));
      for (int i = 0; i < MESSAGES; i++) {
        try (SpoolTransaction t = source.begin()) {
          t.body().write(body);
          t.commit(List.of(new SpoolPart(SpoolFixtures.envelope(), "m365", false, List.of())));
        }
      }
    }
    long start = System.nanoTime();
    ArchiveReport exported = new SpoolExport(dir.resolve("a"), SpoolFixtures.CLOCK).to(dir.resolve("archive"));
    double exportSeconds = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    ArchiveReport imported = new SpoolImport(dir.resolve("b"), SpoolFixtures.CLOCK, SpoolFixtures.LIFETIME).from(dir.resolve("archive"));
    double importSeconds = (System.nanoTime() - start) / 1e9;

    assertThat(exported.moved()).isEqualTo(MESSAGES);
    assertThat(imported.moved()).isEqualTo(MESSAGES);
    System.out.printf("export: %d messages (%.1f MB) in %.2f s = %.0f/s; import: %.2f s = %.0f/s%n", MESSAGES,
        exported.bytes() / 1e6, exportSeconds, MESSAGES / exportSeconds, importSeconds, MESSAGES / importSeconds);
  }
}
