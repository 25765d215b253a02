package relay.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import relay.core.connector.Secret;

class InboundAuthTest {

  private final InboundAuth auth = new InboundAuth(Map.of("scanner", Secret.of("s3cret")), false, true, false);

  @Test
  void verifyAcceptsOnlyTheUsersOwnPassword() {
    assertThat(auth.verify("scanner", "s3cret")).isTrue();
    assertThat(auth.verify("scanner", "s3cret ")).isFalse();
    assertThat(auth.verify("Scanner", "s3cret")).isFalse();
    assertThat(auth.verify("nobody", "\0no such user\0")).isFalse();
  }

  @Test
  void authIsOfferedOnlyWithUsersAndUnderTlsUnlessPlaintextIsAllowed() {
    assertThat(auth.offeredOn(true)).isTrue();
    assertThat(auth.offeredOn(false)).isFalse();
    assertThat(new InboundAuth(auth.users(), false, true, true).offeredOn(false)).isTrue();
    assertThat(InboundAuth.NONE.offeredOn(true)).isFalse();
  }
}
