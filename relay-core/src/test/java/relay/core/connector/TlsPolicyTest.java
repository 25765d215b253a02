package relay.core.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsPolicyTest {

  @Test
  void expectedNamesAndCaBundleOnlyGoWithVerify() {
    assertThatThrownBy(() -> new TlsPolicy(TlsMode.REQUIRED, List.of(ExpectedName.of("mx.example.com")),
        TlsVersion.TLS_1_2, null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientCertificateNeedsTls() {
    assertThatThrownBy(() -> TlsPolicy.NONE.withClientCertificate(
        new ClientCertificate(Path.of("c.pem"), Path.of("k.pem"), null))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientCertificateNeverShowsItsPassword() {
    assertThat(new ClientCertificate(Path.of("c.pem"), Path.of("k.pem"), Secret.of("hunter2-secret")).toString())
        .doesNotContain("hunter2").contains("k.pem");
  }

  @Test
  void requiringEncryptionRaisesNoneAndOpportunisticToRequiredKeepingTheRest() {
    ClientCertificate cert = new ClientCertificate(Path.of("c.pem"), Path.of("k.pem"), null);
    TlsPolicy opportunistic = TlsPolicy.of(TlsMode.OPPORTUNISTIC).withMinimumVersion(TlsVersion.TLS_1_3)
        .withClientCertificate(cert);

    assertThat(TlsPolicy.NONE.requiringEncryption()).isEqualTo(TlsPolicy.of(TlsMode.REQUIRED));
    assertThat(opportunistic.requiringEncryption()).isEqualTo(TlsPolicy.of(TlsMode.REQUIRED)
        .withMinimumVersion(TlsVersion.TLS_1_3).withClientCertificate(cert));
  }

  @Test
  void requiringEncryptionLeavesRequiredAndVerifyAsTheyAre() {
    TlsPolicy verify = TlsPolicy.verify(List.of(ExpectedName.of("mx.example.com")), Path.of("ca.pem"));
    assertThat(verify.requiringEncryption()).isSameAs(verify);
    TlsPolicy required = TlsPolicy.of(TlsMode.REQUIRED);
    assertThat(required.requiringEncryption()).isSameAs(required);
  }

  @Test
  void defaultsAreTls12AndTheHostsOwnName() {
    TlsPolicy policy = TlsPolicy.of(TlsMode.VERIFY);
    assertThat(policy.minimumVersion()).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(policy.names()).isEmpty();
  }

  @Test
  void minimumVersionListsItselfAndNewerOnes() {
    assertThat(TlsVersion.TLS_1_2.andNewer()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(TlsVersion.TLS_1_3.andNewer()).containsExactly("TLSv1.3");
    assertThat(TlsVersion.named("tlsv1.1")).isEmpty();
  }
}
