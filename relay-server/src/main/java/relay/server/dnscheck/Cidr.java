package relay.server.dnscheck;

import java.net.InetAddress;

/** Whether an address lies in a network given as address and prefix length (same family only). */
final class Cidr {

  private Cidr() {}

  static boolean contains(InetAddress network, int bits, InetAddress address) {
    byte[] n = network.getAddress();
    byte[] a = address.getAddress();
    if (n.length != a.length) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((n[i / 8] & mask) != (a[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }
}
