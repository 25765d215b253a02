package relay.core.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExpectedNameTest {

  @ParameterizedTest(name = "expected {0}, presented {1} -> {2}")
  @CsvSource({
      "mx.partner.example, mx.partner.example, true",
      "mx.partner.example, MX.Partner.Example., true",
      "mx.partner.example, other.partner.example, false",
      "mx.partner.example, partner.example, false",
      // a presented wildcard covers exactly one label (RFC 6125 §6.4.3)
      "contoso.mail.protection.outlook.com, *.mail.protection.outlook.com, true",
      "a.contoso.mail.protection.outlook.com, *.mail.protection.outlook.com, false",
      "mail.protection.outlook.com, *.mail.protection.outlook.com, false",
      // a configured wildcard likewise
      "*.mail.protection.outlook.com, contoso-com.mail.protection.outlook.com, true",
      "*.mail.protection.outlook.com, mail.evil.test, false",
      "*.mail.protection.outlook.com, a.b.mail.protection.outlook.com, false",
      "*.mail.protection.outlook.com, mail.protection.outlook.com, false",
      "*.mail.protection.outlook.com, xmail.protection.outlook.com, false",
      "*.mail.protection.outlook.com, *.mail.protection.outlook.com, true",
      "*.mail.protection.outlook.com, *.protection.outlook.com, false",
      // partial-label and misplaced wildcards never match
      "www.example.com, w*.example.com, false",
      "www.example.com, *w.example.com, false",
      "a.b.example.com, a.*.example.com, false",
      "foo.com, *.com, false",
      "mx.example.com, *, false",
      // A-labels are compared as they are; U-labels never match
      "xn--bcher-kva.example, xn--bcher-kva.example, true",
      "xn--bcher-kva.example, bücher.example, false",
      "*.xn--bcher-kva.example, mx.xn--bcher-kva.example, true",
  })
  void matchesAsRfc6125Allows(String expected, String presented, boolean matches) {
    assertThat(ExpectedName.of(expected).matches(presented)).isEqualTo(matches);
  }

  @Test
  void configuredNamesAreLowerCasedWithoutTrailingDot() {
    assertThat(ExpectedName.of("MX.Example.COM.").text()).isEqualTo("mx.example.com");
  }

  @Test
  void partialLabelWildcardIsRefusedWhenConfigured() {
    assertThatThrownBy(() -> ExpectedName.of("w*.example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'*' may only be the whole leftmost label");
  }

  @Test
  void wildcardOverATopLevelDomainIsRefused() {
    assertThatThrownBy(() -> ExpectedName.of("*.com")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unicodeNameIsRefusedWithAHintToWriteTheALabel() {
    assertThatThrownBy(() -> ExpectedName.of("bücher.example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A-label");
  }
}
