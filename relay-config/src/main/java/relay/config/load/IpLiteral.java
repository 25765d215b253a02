package relay.config.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import relay.core.policy.ClientNetwork;

/**
 * Parses a bind address, which must be an IPv4 or IPv6 literal: a host name would need DNS at
 * start-up and could bind somewhere unexpected.
 */
final class IpLiteral {

  private IpLiteral() {}

  static Optional<InetAddress> parse(String text) {
    if (text.indexOf('/') >= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(ClientNetwork.parse(text).network()));
    } catch (IllegalArgumentException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Reads {@code key} of {@code section} as an IP literal, recording a problem otherwise. */
  static Optional<InetAddress> read(Section section, String key) {
    return section.text(key).flatMap(s -> {
      Optional<InetAddress> address = parse(s);
      if (address.isEmpty()) {
        section.problem(key, "'" + s + "' is not an IP address", "use a literal such as 127.0.0.1, 0.0.0.0 or ::");
      }
      return address;
    });
  }
}
