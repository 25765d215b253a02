package relay.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import relay.core.connector.UpstreamHost;

class UpstreamHostSyntaxTest {

  @Test
  void hostWithoutPortTakesTheConnectorPort() {
    assertThat(OutboundBinder.host("mail.example.com", 587)).contains(new UpstreamHost("mail.example.com", 587));
  }

  @Test
  void explicitPortWins() {
    assertThat(OutboundBinder.host("10.0.0.2:2525", 25)).contains(new UpstreamHost("10.0.0.2", 2525));
    assertThat(OutboundBinder.host("[2001:db8::1]:26", 25)).contains(new UpstreamHost("2001:db8::1", 26));
  }

  @Test
  void bareIpv6LiteralTakesTheConnectorPort() {
    assertThat(OutboundBinder.host("2001:db8::1", 25)).contains(new UpstreamHost("2001:db8::1", 25));
  }

  @Test
  void malformedHostsAreRefused() {
    assertThat(OutboundBinder.host("mail.example.com:0", 25)).isEmpty();
    assertThat(OutboundBinder.host("mail.example.com:smtp", 25)).isEmpty();
    assertThat(OutboundBinder.host("under_score.example", 25)).isEmpty();
    assertThat(OutboundBinder.host("[mail.example.com]:25", 25)).isEmpty();
    assertThat(OutboundBinder.host("[2001:db8::1]x", 25)).isEmpty();
  }

  @Test
  void nearestKeyIsSuggestedOnlyForNearMisses() {
    assertThat(NearestKey.among("prot", java.util.List.of("port", "name"))).contains("port");
    assertThat(NearestKey.among("colour", java.util.List.of("port", "name"))).isEmpty();
  }
}
