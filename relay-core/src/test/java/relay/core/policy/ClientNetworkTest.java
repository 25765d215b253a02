package relay.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientNetworkTest {

  private static boolean contains(String network, String address) throws Exception {
    return ClientNetwork.parse(network).contains(InetAddress.getByName(address));
  }

  @ParameterizedTest
  @CsvSource({
    "192.168.1.0/24, 192.168.1.77, true",
    "192.168.1.0/24, 192.168.2.1, false",
    "10.0.0.0/8, 10.255.255.255, true",
    "172.16.0.0/12, 172.31.0.1, true",
    "172.16.0.0/12, 172.32.0.1, false",
    "192.168.1.10, 192.168.1.10, true",
    "192.168.1.10, 192.168.1.11, false",
    "0.0.0.0/0, 203.0.113.9, true",
    "::1, ::1, true",
    "::1, ::2, false",
    "2001:db8::/32, 2001:db8:ffff::1, true",
    "2001:db8::/32, 2001:db9::1, false",
    "127.0.0.0/8, ::ffff:127.0.0.1, true",
    "127.0.0.0/8, ::1, false",
    "::/0, 192.0.2.1, false",
    "::ffff:192.168.1.0/120, 192.168.1.9, true",
    "::ffff:192.168.1.0/120, ::ffff:192.168.1.9, true",
    "::ffff:192.168.1.0/120, 192.168.2.9, false",
    "::ffff:0:0/96, 203.0.113.9, true",
    "::ffff:10.1.2.3, 10.1.2.3, true",
  })
  void containsExactlyTheAddressesInsideThePrefix(String network, String address, boolean inside) throws Exception {
    assertThat(contains(network, address)).isEqualTo(inside);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
    "0.0.0.0/0; 1.0",
    "0.0.0.0/1 128.0.0.0/1; 1.0",
    "::/0; 1.0",
    "::/8; 0.0",
    "::ffff:0:0/96; 1.0",
    "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 127.0.0.0/8 fc00::/7 fe80::/10; 0.0",
    "2000::/3; 1.0",
    "2000::/4; 0.5",
  })
  void publicCoverageCountsAddressesNotNotation(String networks, double share) {
    assertThat(PublicCoverage.share(java.util.Arrays.stream(networks.split(" ")).map(ClientNetwork::parse).toList()))
        .isCloseTo(share, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aPublicSlash16IsATinyShareOfTheInternet() {
    assertThat(PublicCoverage.share(java.util.List.of(ClientNetwork.parse("198.51.0.0/16"))))
        .isGreaterThan(0).isLessThan(0.0001);
  }

  @Test
  void hostBitsBeyondThePrefixAreRefusedAsATypo() {
    assertThatThrownBy(() -> ClientNetwork.parse("192.168.1.10/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/24");
  }

  @Test
  void hostNamesAndGarbageAreNotNetworks() {
    assertThatThrownBy(() -> ClientNetwork.parse("printer.example")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientNetwork.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientNetwork.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.1.0.0/16, true",
    "10.1.0.0/16, 10.0.0.0/8, true",
    "10.0.0.0/8, 11.0.0.0/8, false",
    "10.0.0.0/8, ::/0, false",
  })
  void overlapIsSymmetric(String a, String b, boolean overlap) {
    assertThat(ClientNetwork.parse(a).overlaps(ClientNetwork.parse(b))).isEqualTo(overlap);
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.0/8, 127.0.0.0/8",
    "::1, ::1/128",
    "::/0, ::/0",
    "2001:0db8:0000:0000:0000:0000:0000:0000/32, 2001:db8::/32",
    "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1/128",
    "fe80::1:0:0:0:0, fe80:0:0:1::/128",
    "192.168.010.1, 192.168.10.1/32",
  })
  void printsCanonicalCompactText(String input, String text) {
    assertThat(ClientNetwork.parse(input)).hasToString(text);
  }
}
