package relay.server.dnscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import relay.server.outbound.TinyDns;

/** With --selector, the DKIM key record itself is checked (RFC 6376 3.6.1, RFC 8301). */
class DkimKeyTest {

  private static String key(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
  }

  private static Finding dkim(TinyDns dns) throws InterruptedException {
    DnsReport report = new DnsCheck(List.of(dns.address()), Duration.ofMillis(500))
        .run(new DnsCheckRequest("contoso.com", Optional.empty(), Optional.of("s1"), false, Optional.empty(), 25));
    return report.findings().stream().filter(f -> f.area().equals("DKIM")).findFirst().orElseThrow();
  }

  @Test
  void aPublishedKeyPassesWithItsSize() throws Exception {
    try (TinyDns dns = new TinyDns()) {
      dns.txt("s1._domainkey.contoso.com", "v=DKIM1; k=rsa; ", "p=" + key(1024));
      Finding f = dkim(dns);
      assertThat(f.outcome()).isEqualTo(Outcome.PASS);
      assertThat(f.seen()).isEqualTo("RSA key of 1024 bits");
    }
  }

  @Test
  void anEmptyKeyIsRevoked() throws Exception {
    try (TinyDns dns = new TinyDns()) {
      dns.txt("s1._domainkey.contoso.com", "v=DKIM1; p=");
      Finding f = dkim(dns);
      assertThat(f.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(f.seen()).contains("revoked");
    }
  }

  @Test
  void aShortKeyOrAMissingRecordFails() throws Exception {
    try (TinyDns dns = new TinyDns()) {
      dns.txt("s1._domainkey.contoso.com", "v=DKIM1; p=" + key(512));
      assertThat(dkim(dns).seen()).isEqualTo("RSA key of 512 bits");
      assertThat(dkim(dns).outcome()).isEqualTo(Outcome.FAIL);
    }
    try (TinyDns dns = new TinyDns()) {
      Finding f = dkim(dns);
      assertThat(f.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(f.seen()).contains("NXDOMAIN");
    }
  }
}
