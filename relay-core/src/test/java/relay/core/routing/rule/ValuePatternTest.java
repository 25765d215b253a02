package relay.core.routing.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValuePatternTest {

  @ParameterizedTest
  @CsvSource({
    "printer@corp.example, Printer@CORP.example, true",
    "printer@corp.example, printer2@corp.example, false",
    "*@corp.example, scan@corp.example, true",
    "*@corp.example, scan@sub.corp.example, false",
    "*@*.corp.example, scan@sub.corp.example, true",
    "scan?@corp.example, scan1@corp.example, true",
    "scan?@corp.example, scan12@corp.example, false",
    "*.corp.example, corp.example, false",
    "*.corp.example, eu.CORP.example, true",
    "*a*b*c, xxaYYbZZc, true",
    "*a*b*c, xxaYYbZZ, false",
    "*, '', true",
    "'regex:scan[0-9]+@corp\\.example', SCAN42@corp.example, true",
    "'regex:scan[0-9]+@corp\\.example', xscan42@corp.example.org, false",
  })
  void matchesTheWholeValueIgnoringCase(String pattern, String value, boolean expected) {
    assertThat(ValuePattern.parse(pattern).matches(value)).isEqualTo(expected);
  }

  @Test
  void syntaxDecidesTheKind() {
    assertThat(ValuePattern.parse("a@b.c")).isInstanceOf(ValuePattern.Exact.class);
    assertThat(ValuePattern.parse("*@b.c")).isInstanceOf(ValuePattern.Glob.class);
    assertThat(ValuePattern.parse("regex:.*")).isEqualTo(new ValuePattern.Regex(".*"));
  }

  @Test
  void aBadRegexIsRefusedWithItsText() {
    assertThatThrownBy(() -> ValuePattern.parse("regex:(unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(unclosed");
  }

  @Test
  void aRegexInTextConditionsMayMatchAnywhere() {
    assertThat(new ValuePattern.Regex("invoice #\\d+").find("Re: Invoice #123 overdue")).isTrue();
    assertThat(new ValuePattern.Regex("invoice #\\d+").matches("Re: Invoice #123 overdue")).isFalse();
  }
}
