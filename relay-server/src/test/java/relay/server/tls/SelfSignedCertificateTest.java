package relay.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {

  @TempDir Path dir;

  @Test
  void generatedOnceAndReusedAcrossRestarts() throws Exception {
    Instant now = Instant.parse("2026-11-22T10:00:00Z");
    PemKeyMaterial first = new SelfSignedCertificate(dir, "relay.example", now).loadOrCreate();
    PemKeyMaterial second = new SelfSignedCertificate(dir, "relay.example", now.plusSeconds(3600)).loadOrCreate();

    assertThat(second.chain().getFirst()).isEqualTo(first.chain().getFirst());
    assertThat(second.key().getEncoded()).isEqualTo(first.key().getEncoded());
  }

  @Test
  void certificateNamesTheHostAndLoopbackAndKeyIsPrivate() throws Exception {
    PemKeyMaterial material =
        new SelfSignedCertificate(dir, "relay.example", Instant.parse("2026-11-22T10:00:00Z")).loadOrCreate();
    X509Certificate cert = material.chain().getFirst();

    Collection<List<?>> names = cert.getSubjectAlternativeNames();
    assertThat(names.stream().map(n -> String.valueOf(n.get(1))).toList()).contains("relay.example", "localhost", "127.0.0.1");
    assertThat(cert.getSubjectX500Principal().getName()).contains("CN=relay.example");
    cert.checkValidity(java.util.Date.from(Instant.parse("2030-01-01T00:00:00Z")));
    try (var files = Files.list(dir)) {
      Path key = files.filter(p -> p.toString().endsWith(".key")).findFirst().orElseThrow();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }
    assertThat(material.keyManagers().getKeyManagers()).isNotEmpty();
  }
}
