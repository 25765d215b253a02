package relay.core.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void toStringNamesTheSourceButNeverTheValue() {
    Secret secret = new Secret("env:M365_SECRET", "s3cr3t-value");

    assertThat(secret.toString()).isEqualTo("secret(env:M365_SECRET)").doesNotContain("s3cr3t");
    assertThat(secret.reveal()).isEqualTo("s3cr3t-value");
  }

  @Test
  void equalWhenSourceAndValueMatch() {
    assertThat(new Secret("env:A", "x")).isEqualTo(new Secret("env:A", "x"));
    assertThat(new Secret("env:A", "x")).isNotEqualTo(new Secret("env:A", "y"));
    assertThat(new Secret("env:A", "x")).isNotEqualTo(new Secret("env:B", "x"));
    assertThat(Secret.of("t")).isEqualTo(Secret.of("t")).hasSameHashCodeAs(Secret.of("u"));
  }

  @Test
  void emptyValueIsRefused() {
    assertThatThrownBy(() -> Secret.of("")).isInstanceOf(IllegalArgumentException.class);
  }
}
