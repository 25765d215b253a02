package relay.config.load;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import relay.config.model.ListenerConfig;
import relay.config.model.ListenerTls;
import relay.config.model.TlsFiles;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.policy.PublicCoverage;

/**
 * Binds {@code relay.listeners} and checks what only makes sense across elements: unique listener
 * names and bind addresses, unique inbound connector names within a listener, and no client network
 * that an earlier connector of the same listener already covers entirely.
 *
 * <p>Overlap policy: since the first matching connector applies, a more specific network before a
 * broader one ({@code 10.0.0.5/32} then {@code 10.0.0.0/8}) is the intended way to make an
 * exception and is accepted. The reverse order makes the later network unreachable, which is
 * always a mistake, so it is an error.
 */
final class ListenerBinder {

  /** The share of public addresses load balancers may cover: a cloud provider's ranges, not more. */
  static final double PROXY_PUBLIC_SHARE = 0.0001;

  private final Path home;
  private final boolean probePorts;
  private final SecretReader secrets;

  /** @param probePorts try binding each listener's address and port, reporting one in use */
  ListenerBinder(Path home, boolean probePorts, SecretReader secrets) {
    this.home = home;
    this.probePorts = probePorts;
    this.secrets = secrets;
  }

  List<ListenerConfig> bind(Section relay) {
    relay.require("listeners");
    List<ConfigValue> elements = relay.list("listeners").orElse(List.of());
    if (relay.value("listeners").isPresent() && elements.isEmpty()) {
      relay.problem("listeners", "must contain at least one listener", "");
    }
    String path = relay.pathOf("listeners");
    uniqueNames(elements, path, relay.problems());
    List<ListenerConfig> out = new ArrayList<>();
    Map<String, Integer> binds = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      int index = i;
      ConfigValue element = elements.get(i);
      Section.of(element, path + "[" + i + "]", relay.problems()).flatMap(this::listener).ifPresent(l -> {
        Integer earlier = binds.putIfAbsent(l.address().getHostAddress() + " " + l.port(), index);
        if (earlier != null) {
          relay.problems().add(element.origin(), path + "[" + index + "]",
              "binds " + l.address().getHostAddress() + " port " + l.port() + " like listeners[" + earlier + "]", "");
        }
        out.add(l);
      });
    }
    return out;
  }

  private Optional<ListenerConfig> listener(Section s) {
    int before = s.problems().count();
    s.require("name", "address", "port", "inbound-connectors");
    String name = s.text("name").orElse("");
    Optional<InetAddress> address = IpLiteral.read(s, "address");
    int port = s.port("port").orElse(0);
    ListenerTls encryption = encryption(s);
    Optional<TlsFiles> tls = s.section("tls").flatMap(this::tls);
    int max = s.integer("max-connections", 1, 1_000_000).orElse(500);
    int perClient = s.integer("max-connections-per-client", 1, 1_000_000).orElse(50);
    if (perClient > max) {
      s.problem("max-connections-per-client", perClient + " is more than max-connections (" + max + ")", "");
    }
    List<InboundConnector> connectors = connectors(s);
    List<ClientNetwork> proxyFrom = proxyFrom(s);
    s.finish();
    if (probePorts && address.isPresent() && port > 0) {
      PortProbe.inUse(address.get(), port).ifPresent(m -> s.problem("port", m,
          "stop what holds it (see: ss -ltnp 'sport = :" + port + "'), or choose another port"));
    }
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new ListenerConfig(name, address.orElseThrow(), port, encryption, tls, max, perClient, connectors,
        proxyFrom));
  }

  /**
   * {@code starttls} (default true), {@code implicit-tls} (default false; TLS from the first byte,
   * and then no STARTTLS) and {@code tls-min-version} (default TLSv1.2; TLSv1 and TLSv1.1 only
   * for old devices, and only with TLS offered).
   */
  private static ListenerTls encryption(Section s) {
    boolean implicit = s.flag("implicit-tls").orElse(false);
    boolean starttls = s.flag("starttls").orElse(!implicit);
    if (implicit && starttls) {
      s.problem("starttls", "cannot be true with implicit-tls = true", "implicit TLS starts TLS at once: "
          + "remove starttls (devices that need STARTTLS get a listener of their own, usually port 587)");
    }
    ListenerTls.Version min = s.text("tls-min-version").flatMap(text -> {
      Optional<ListenerTls.Version> v = ListenerTls.Version.named(text);
      if (v.isEmpty()) {
        s.problem("tls-min-version", "'" + text + "' is not a TLS version", "TLSv1.2 (default), TLSv1.3, "
            + "or for old devices only TLSv1.1 or TLSv1");
      }
      return v;
    }).orElse(ListenerTls.Version.TLS_1_2);
    ListenerTls.Mode mode = implicit ? ListenerTls.Mode.IMPLICIT
        : starttls ? ListenerTls.Mode.STARTTLS : ListenerTls.Mode.NONE;
    if (mode == ListenerTls.Mode.NONE && s.value("tls-min-version").isPresent()) {
      s.problem("tls-min-version", "is set but this listener offers no TLS", "set starttls or implicit-tls");
    }
    return new ListenerTls(mode, min);
  }

  /**
   * {@code proxy-protocol-from}: the load balancers whose connections begin with a PROXY header.
   * Whoever is listed can claim any client address, and so any connector's rights: networks that
   * cover more than a sliver of the public address space (more than {@link #PROXY_PUBLIC_SHARE})
   * are refused, like an open relay.
   */
  private static List<ClientNetwork> proxyFrom(Section s) {
    List<ClientNetwork> out = new ArrayList<>();
    List<ConfigValue> values = s.list("proxy-protocol-from").orElse(List.of());
    for (int i = 0; i < values.size(); i++) {
      String at = s.pathOf("proxy-protocol-from") + "[" + i + "]";
      ConfigValue v = values.get(i);
      s.text(v, at).flatMap(t -> Cidr.parse(t, v.origin(), at, s.problems())).ifPresent(out::add);
    }
    if (!out.isEmpty() && PublicCoverage.share(out) > PROXY_PUBLIC_SHARE) {
      s.problem("proxy-protocol-from", "covers too much of the public address space: anyone there could claim "
          + "any client address", "list only your load balancers' addresses, e.g. [\"10.0.0.5/32\"]");
    }
    return out;
  }

  private Optional<TlsFiles> tls(Section s) {
    Optional<String> certificate = s.text("certificate");
    Optional<String> key = s.text("key");
    s.finish();
    if (certificate.isPresent() != key.isPresent()) {
      s.problem(certificate.isPresent() ? "key" : "certificate", "is required when "
          + (certificate.isPresent() ? "certificate" : "key") + " is set", "give both PEM files, or neither");
      return Optional.empty();
    }
    return certificate.map(c -> new TlsFiles(home.resolve(c), home.resolve(key.orElseThrow())));
  }

  private List<InboundConnector> connectors(Section listener) {
    List<ConfigValue> elements = listener.list("inbound-connectors").orElse(List.of());
    if (listener.value("inbound-connectors").isPresent() && elements.isEmpty()) {
      listener.problem("inbound-connectors", "must contain at least one connector", "");
    }
    String path = listener.pathOf("inbound-connectors");
    uniqueNames(elements, path, listener.problems());
    List<InboundConnector> bound = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      int index = i;
      Section.of(elements.get(i), path + "[" + i + "]", listener.problems()).flatMap(c -> InboundBinder.bind(c, secrets)).ifPresent(c -> {
        bound.add(c);
        indexes.add(index);
      });
    }
    for (int j = 1; j < bound.size(); j++) {
      unreachable(bound.subList(0, j), bound.get(j), elements.get(indexes.get(j)), path + "[" + indexes.get(j) + "]",
          listener.problems());
    }
    return bound;
  }

  private static void unreachable(List<InboundConnector> earlier, InboundConnector later, ConfigValue element,
      String path, Problems problems) {
    List<ClientNetwork> networks = later.clientNetworks();
    for (int k = 0; k < networks.size(); k++) {
      ClientNetwork n = networks.get(k);
      for (InboundConnector e : earlier) {
        Optional<ClientNetwork> cover = e.clientNetworks().stream()
            .filter(m -> m.prefixLength() <= n.prefixLength() && m.overlaps(n))
            .findFirst();
        if (cover.isPresent()) {
          ConfigValue value = ((ConfigList) ((ConfigObject) element).get("client-networks")).get(k);
          problems.add(value.origin(), path + ".client-networks[" + k + "]",
              n + " is never used: connector '" + e.name() + "' comes first and covers it with " + cover.get(),
              "first match wins: put the more specific connector first");
          break;
        }
      }
    }
  }

  /** Names are read from the raw elements so a duplicate is reported even when an element has other problems. */
  private static void uniqueNames(List<ConfigValue> elements, String path, Problems problems) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < elements.size(); i++) {
      if (elements.get(i) instanceof ConfigObject o && o.get("name") instanceof ConfigValue v
          && v.valueType() == ConfigValueType.STRING) {
        String name = ((String) v.unwrapped()).strip();
        Integer first = seen.putIfAbsent(name, i);
        if (first != null) {
          problems.add(v.origin(), path + "[" + i + "].name", "duplicate name '" + name + "'",
              "already used by " + path.substring(path.lastIndexOf('.') + 1) + "[" + first + "]");
        }
      }
    }
  }
}
