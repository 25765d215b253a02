package relay.core.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 192.168.1.0/24}, {@code ::1/128}); a bare address
 * means a single host. Used to decide which inbound connector applies to a client.
 *
 * <p>Invariant: host bits beyond the prefix are zero (a CIDR written with host bits set is refused
 * at parse time, since it is almost always a typo). IPv4-mapped IPv6 clients match IPv4 networks.
 */
public record ClientNetwork(byte[] network, int prefixLength) {

  public ClientNetwork {
    Objects.requireNonNull(network, "network");
    if (network.length != 4 && network.length != 16) {
      throw new IllegalArgumentException("network must be 4 or 16 bytes");
    }
    if (prefixLength < 0 || prefixLength > network.length * 8) {
      throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
    }
    network = network.clone();
    for (int bit = prefixLength; bit < network.length * 8; bit++) {
      if ((network[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
        throw new IllegalArgumentException("address has bits set beyond the /" + prefixLength + " prefix");
      }
    }
  }

  /**
   * Parses {@code address[/prefix]} where address is a literal IPv4 or IPv6 address (never a host
   * name: no DNS lookups here).
   */
  public static ClientNetwork parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(addr);
    boolean written6 = addr.indexOf(':') >= 0;
    int prefix;
    if (slash < 0) {
      prefix = written6 ? 128 : bytes.length * 8;
    } else {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
      }
    }
    if (written6 && bytes.length == 4) {
      // An IPv4-mapped IPv6 network (::ffff:a.b.c.d/96+n), which the JDK reads as IPv4: from /96 on
      // it is the IPv4 network a.b.c.d/n; a shorter prefix also covers IPv6 space and stays IPv6.
      if (prefix < 0 || prefix > 128) {
        throw new IllegalArgumentException("prefix length out of range: " + prefix);
      }
      return prefix >= 96 ? new ClientNetwork(bytes, prefix - 96) : new ClientNetwork(mapped(bytes), prefix);
    }
    return new ClientNetwork(bytes, prefix);
  }

  /** {@code ::ffff:a.b.c.d} for the IPv4 address a.b.c.d. */
  static byte[] mapped(byte[] v4) {
    byte[] a = new byte[16];
    a[10] = (byte) 0xff;
    a[11] = (byte) 0xff;
    System.arraycopy(v4, 0, a, 12, 4);
    return a;
  }

  private static byte[] literal(String addr) {
    boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = addr.indexOf(':') >= 0 && addr.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      throw new IllegalArgumentException("not an IP address: '" + addr + "'");
    }
    try {
      return InetAddress.getByName(addr).getAddress(); // literal only, checked above: no DNS
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + addr + "'", e);
    }
  }

  /** True when the address lies inside this network. */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
      a = Arrays.copyOfRange(a, 12, 16);
    }
    if (a.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** True when the two networks share at least one address. */
  public boolean overlaps(ClientNetwork other) {
    if (other.network.length != network.length) {
      return false;
    }
    int shorter = Math.min(prefixLength, other.prefixLength);
    try {
      return new ClientNetwork(truncate(network, shorter), shorter)
          .contains(InetAddress.getByAddress(other.network));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] truncate(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int bit = prefix; bit < out.length * 8; bit++) {
      out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return out;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientNetwork n && n.prefixLength == prefixLength && Arrays.equals(n.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return (network.length == 4 ? ipv4() : ipv6()) + "/" + prefixLength;
  }

  private String ipv4() {
    return (network[0] & 0xff) + "." + (network[1] & 0xff) + "." + (network[2] & 0xff) + "." + (network[3] & 0xff);
  }

  /** RFC 5952 text: lower-case hex, leading zeros dropped, the longest run of two or more zero groups as {@code ::}. */
  private String ipv6() {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((network[2 * i] & 0xff) << 8) | (network[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
