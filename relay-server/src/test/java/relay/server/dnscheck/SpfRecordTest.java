package relay.server.dnscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link SpfRecord#parse} follows RFC 7208's grammar: strict on mechanisms, lenient on unknown modifiers. */
class SpfRecordTest {

  @Test
  void parsesEveryMechanismQualifierAndModifier() throws Exception {
    SpfRecord record = SpfRecord.parse("v=spf1 +a -mx:mail.contoso.com/24 ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 "
        + "a:relay.contoso.com/28//64 ptr include:spf.protection.outlook.com exists:%{i}.bl.example -all "
        + "redirect=_spf.contoso.com exp=explain.contoso.com x-future=1");

    assertThat(record.mechanisms()).extracting(SpfTerm.Mechanism::kind).containsExactly(
        SpfTerm.Kind.A, SpfTerm.Kind.MX, SpfTerm.Kind.IP4, SpfTerm.Kind.IP6, SpfTerm.Kind.A, SpfTerm.Kind.PTR,
        SpfTerm.Kind.INCLUDE, SpfTerm.Kind.EXISTS, SpfTerm.Kind.ALL);
    assertThat(record.mechanisms()).extracting(SpfTerm.Mechanism::qualifier).startsWith(
        SpfTerm.Qualifier.PASS, SpfTerm.Qualifier.FAIL, SpfTerm.Qualifier.SOFTFAIL, SpfTerm.Qualifier.NEUTRAL);
    assertThat(record.mechanisms().get(1).cidr4()).isEqualTo(24);
    assertThat(record.mechanisms().get(3).cidr6()).isEqualTo(32);
    assertThat(record.mechanisms().get(4).cidr4()).isEqualTo(28);
    assertThat(record.mechanisms().get(4).cidr6()).isEqualTo(64);
    assertThat(record.redirect()).contains("_spf.contoso.com");
    assertThat(record.explanation()).contains("explain.contoso.com");
    assertThat(record.unknownModifiers()).containsExactly("x-future=1");
  }

  @Test
  void recognisesSpfRecordsOnlyByTheirExactVersion() {
    assertThat(SpfRecord.isSpf("v=spf1 -all")).isTrue();
    assertThat(SpfRecord.isSpf("v=spf1")).isTrue();
    assertThat(SpfRecord.isSpf("V=SPF1 mx -all")).isTrue();
    assertThat(SpfRecord.isSpf("v=spf10 -all")).isFalse();
    assertThat(SpfRecord.isSpf("spf2.0/pra -all")).isFalse();
  }

  @Test
  void refusesWhatRfc7208MakesAPermanentError() {
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 iq4:192.0.2.1 -all")).hasMessageContaining("unknown mechanism 'iq4'");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 ip4:192.0.2.300")).hasMessageContaining("not an IPv4 address");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 ip4:2001:db8::1")).hasMessageContaining("not an IPv4 address");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 ip6:192.0.2.1")).hasMessageContaining("not an IPv6 address");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 ip4:192.0.2.0/33")).hasMessageContaining("/33 is more than 32");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 include -all")).hasMessageContaining("needs :domain");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 all:contoso.com")).hasMessageContaining("takes no argument");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 redirect=a.example redirect=b.example")).hasMessageContaining("twice");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 include:contoso..com")).hasMessageContaining("not a valid domain");
  }
}
