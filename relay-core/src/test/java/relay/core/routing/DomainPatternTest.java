package relay.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.envelope.Domain;

class DomainPatternTest {

  @ParameterizedTest
  @CsvSource({
    "contoso.com, contoso.com, true",
    "contoso.com, CONTOSO.COM, true",
    "Contoso.COM, contoso.com, true",
    "contoso.com, mail.contoso.com, false",
    "*.contoso.com, mail.contoso.com, true",
    "*.contoso.com, a.b.contoso.com, true",
    "*.contoso.com, contoso.com, false",
    "*.contoso.com, badcontoso.com, false",
    "*, anything.example, true",
    "*, [192.0.2.1], true",
  })
  void matchesAsDocumented(String pattern, String domain, boolean expected) {
    assertThat(DomainPattern.parse(pattern).matches(Domain.of(domain))).isEqualTo(expected);
  }

  @Test
  void exactOutranksLongerWildcardWhichOutranksShorterWhichOutranksAny() {
    int exact = DomainPattern.parse("contoso.com").specificity();
    int longWildcard = DomainPattern.parse("*.eu.contoso.com").specificity();
    int shortWildcard = DomainPattern.parse("*.contoso.com").specificity();
    int any = DomainPattern.parse("*").specificity();
    assertThat(exact).isGreaterThan(longWildcard);
    assertThat(longWildcard).isGreaterThan(shortWildcard);
    assertThat(shortWildcard).isGreaterThan(any);
  }

  @Test
  void writesBackAsParsed() {
    assertThat(DomainPattern.parse("*.Contoso.com")).hasToString("*.contoso.com");
    assertThat(DomainPattern.parse(" * ")).isEqualTo(DomainPattern.ANY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "con*so.com", "*contoso.com", "**", "*.", "contoso.com."})
  void refusesMalformedPatterns(String text) {
    assertThatThrownBy(() -> DomainPattern.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
