package relay.config.load;

import com.typesafe.config.ConfigOrigin;
import java.util.Optional;
import relay.core.policy.ClientNetwork;

/**
 * Parses a client network with an operator-friendly problem: a network written with host bits set
 * ({@code 192.168.1.10/24}) gets the network it probably meant as a hint.
 */
final class Cidr {

  private Cidr() {}

  static Optional<ClientNetwork> parse(String text, ConfigOrigin origin, String path, Problems problems) {
    try {
      return Optional.of(ClientNetwork.parse(text));
    } catch (IllegalArgumentException e) {
      problems.add(origin, path, "'" + text + "' is not a network: " + e.getMessage(), hint(text));
      return Optional.empty();
    }
  }

  private static String hint(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return "write an IP address or address/prefix, e.g. 192.168.1.0/24";
    }
    try {
      ClientNetwork host = ClientNetwork.parse(text.substring(0, slash));
      int prefix = Integer.parseInt(text.substring(slash + 1).strip());
      if (prefix < 0 || prefix > host.prefixLength()) {
        return "the prefix length must be 0.." + host.prefixLength();
      }
      byte[] bytes = host.network().clone();
      for (int bit = prefix; bit < bytes.length * 8; bit++) {
        bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
      }
      return "did you mean " + new ClientNetwork(bytes, prefix) + "?";
    } catch (IllegalArgumentException e) {
      return "write an IP address or address/prefix, e.g. 192.168.1.0/24";
    }
  }
}
