package relay.core.policy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * How much of the public Internet a set of client networks covers, judged by the addresses, not by
 * how the networks are written: {@code 0.0.0.0/1} plus {@code 128.0.0.0/1} cover all of IPv4 as
 * surely as {@code 0.0.0.0/0}. The open-relay guard uses it: a connector that may relay must not
 * cover more than a small share of the public address space.
 *
 * <p>Everything is measured in the IPv6 address space, IPv4 as its mapped range
 * ({@code ::ffff:0:0/96}). Two
 * shares are measured and the larger one counts: of public IPv4 (all of IPv4 less the special-purpose
 * ranges of RFC 6890: private, loopback, link-local, shared, documentation, benchmarking, multicast,
 * reserved) and of global unicast IPv6 ({@code 2000::/3}).
 *
 * <p>Stateless and thread-safe.
 */
public final class PublicCoverage {

  private record Range(BigInteger start, BigInteger end) {} // end exclusive

  private static final Range MAPPED = range(ClientNetwork.parse("0.0.0.0/0"));
  private static final List<Range> PUBLIC_V4 = subtract(List.of(MAPPED),
      List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
          "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
          "224.0.0.0/4", "240.0.0.0/4").stream().map(t -> range(ClientNetwork.parse(t))).toList());
  private static final List<Range> PUBLIC_V6 = List.of(range(ClientNetwork.parse("2000::/3")));

  private PublicCoverage() {}

  /** The larger of the shares (0.0 to 1.0) of public IPv4 and of global IPv6 that {@code networks} cover. */
  public static double share(Collection<ClientNetwork> networks) {
    // A network written in IPv6 never matches an IPv4 client (ClientNetwork#contains), so only
    // networks written in IPv4 (or as mapped /96 and longer) count in the mapped range.
    List<Range> ranges = new ArrayList<>();
    networks.stream().filter(n -> n.network().length == 4).map(PublicCoverage::range).forEach(ranges::add);
    ranges.addAll(subtract(networks.stream().filter(n -> n.network().length == 16).map(PublicCoverage::range).toList(),
        List.of(MAPPED)));
    List<Range> covered = union(ranges);
    return Math.max(share(covered, PUBLIC_V4), share(covered, PUBLIC_V6));
  }

  private static double share(List<Range> covered, List<Range> space) {
    BigInteger total = size(space);
    BigInteger inside = BigInteger.ZERO;
    for (Range c : covered) {
      for (Range s : space) {
        BigInteger start = c.start().max(s.start());
        BigInteger end = c.end().min(s.end());
        if (start.compareTo(end) < 0) {
          inside = inside.add(end.subtract(start));
        }
      }
    }
    return new java.math.BigDecimal(inside).divide(new java.math.BigDecimal(total), java.math.MathContext.DECIMAL64)
        .doubleValue();
  }

  private static Range range(ClientNetwork network) {
    byte[] bytes = network.network().length == 4 ? ClientNetwork.mapped(network.network()) : network.network();
    int prefix = network.network().length == 4 ? network.prefixLength() + 96 : network.prefixLength();
    BigInteger start = new BigInteger(1, bytes);
    return new Range(start, start.add(BigInteger.ONE.shiftLeft(128 - prefix)));
  }

  private static List<Range> union(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(Range::start));
    List<Range> merged = new ArrayList<>();
    for (Range r : sorted) {
      Range last = merged.isEmpty() ? null : merged.getLast();
      if (last != null && r.start().compareTo(last.end()) <= 0) {
        merged.set(merged.size() - 1, new Range(last.start(), last.end().max(r.end())));
      } else {
        merged.add(r);
      }
    }
    return merged;
  }

  private static List<Range> subtract(List<Range> from, List<Range> holes) {
    List<Range> out = new ArrayList<>(from);
    for (Range hole : holes) {
      List<Range> next = new ArrayList<>();
      for (Range r : out) {
        if (hole.end().compareTo(r.start()) <= 0 || hole.start().compareTo(r.end()) >= 0) {
          next.add(r);
          continue;
        }
        if (r.start().compareTo(hole.start()) < 0) {
          next.add(new Range(r.start(), hole.start()));
        }
        if (hole.end().compareTo(r.end()) < 0) {
          next.add(new Range(hole.end(), r.end()));
        }
      }
      out = next;
    }
    return out;
  }

  private static BigInteger size(List<Range> ranges) {
    return ranges.stream().map(r -> r.end().subtract(r.start())).reduce(BigInteger.ZERO, BigInteger::add);
  }
}
