package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import relay.core.envelope.MessageId;

class MessageIdSourceTest {

  @Test
  void idsStayUniqueAndOrderedWithAFrozenClockAndAConstantRandom() {
    MessageIdSource ids =
        new MessageIdSource(InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L)), () -> 42L);
    Set<String> seen = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 10_000; i++) {
      String id = ids.next().value();
      assertThat(id).isGreaterThan(previous);
      previous = id;
      seen.add(id);
    }

    assertThat(seen).hasSize(10_000);
  }

  @Test
  void idsAreFileNameSafeUpperCaseBase32() {
    MessageId id = new MessageIdSource(InstantSource.fixed(Instant.EPOCH), () -> -1L).next();

    assertThat(id.value()).matches("[0-9A-HJKMNP-TV-Z]{22}").startsWith("0000000000");
  }
}
