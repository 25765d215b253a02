package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.Domain;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.PublicCoverage;
import relay.core.policy.InboundAuth;
import relay.core.policy.InboundConnector;
import relay.core.connector.Secret;
import relay.core.session.SessionLimits;

/**
 * Binds one element of a listener's {@code inbound-connectors} list, including its limits, and
 * refuses an open relay: relaying for networks that cover more than {@code open-relay-percent}
 * (default 0.01 %) of the public IPv4 or IPv6 address space, however they are written
 * ({@code 0.0.0.0/0}, or {@code 0.0.0.0/1} with {@code 128.0.0.0/1}), needs an explicit
 * {@code allow-open-relay = true}.
 *
 * <p>Keys other than {@code name} and {@code client-networks} are optional; their defaults are the
 * embedded default's values, except {@code relay}, which defaults to false so that forgetting it
 * can never open a relay. An {@code auth} block lists SMTP AUTH users whose passwords are secret
 * references ({@code env:}/{@code file:}), read through the load's {@link SecretReader}.
 */
final class InboundBinder {

  /** The share of the public address space, in percent, that relay = true may cover without allow-open-relay. */
  static final double DEFAULT_OPEN_RELAY_PERCENT = 0.01;

  private static final String OPEN_RELAY_HINT =
      "narrow client-networks to your LAN, or set allow-open-relay = true on this connector";

  private InboundBinder() {}

  /** The connector, or empty when any of its values had a problem (already recorded). */
  static Optional<InboundConnector> bind(Section s, SecretReader secrets) {
    int before = s.problems().count();
    s.require("name", "client-networks");
    String name = s.text("name").orElse("");
    boolean relay = s.flag("relay").orElse(false);
    boolean allowOpenRelay = s.flag("allow-open-relay").orElse(false);
    double openRelayShare = s.decimal("open-relay-percent", 0.0, 100.0).orElse(DEFAULT_OPEN_RELAY_PERCENT) / 100;
    List<ClientNetwork> networks = networks(s, relay && !allowOpenRelay ? openRelayShare : Double.POSITIVE_INFINITY);
    boolean requireTls = s.flag("require-tls").orElse(false);
    Set<Domain> senders = domains(s, "allowed-sender-domains");
    Set<Domain> recipients = domains(s, "recipient-domains");
    BareLineEndings bare = s.choice("bare-line-endings", BareLineEndings.class).orElse(BareLineEndings.NORMALIZE);
    SessionLimits limits = s.section("limits").map(InboundBinder::limits).orElse(SessionLimits.DEFAULTS);
    InboundAuth auth = s.section("auth").map(a -> auth(a, secrets)).orElse(InboundAuth.NONE);
    s.finish();
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new InboundConnector(name, networks, requireTls, senders, relay, recipients, bare, limits, auth));
  }

  /** {@code auth { users = [{ name, password }], required, grants-relay, allow-plaintext }}. */
  private static InboundAuth auth(Section s, SecretReader secrets) {
    Map<String, Secret> users = new LinkedHashMap<>();
    List<ConfigValue> values = s.list("users").orElse(List.of());
    for (int i = 0; i < values.size(); i++) {
      String at = s.pathOf("users") + "[" + i + "]";
      Section.of(values.get(i), at, s.problems()).ifPresent(u -> {
        u.require("name", "password");
        Optional<String> name = u.text("name");
        Optional<Secret> password = secrets.read(u, "password");
        u.finish();
        name.filter(n -> !n.isBlank() && n.chars().allMatch(c -> c > 32 && c < 127)).ifPresentOrElse(n -> {
          if (users.containsKey(n)) {
            u.problem("name", "user '" + n + "' is listed twice", "give each user once");
          }
          password.ifPresent(p -> users.put(n, p));
        }, () -> name.ifPresent(n -> u.problem("name", "is not a user name", "visible ASCII without spaces")));
      });
    }
    boolean required = s.flag("required").orElse(false);
    boolean grantsRelay = s.flag("grants-relay").orElse(true);
    boolean plaintext = s.flag("allow-plaintext").orElse(false);
    s.finish();
    if (required && values.isEmpty()) {
      s.problem("required", "is true but no users are listed", "add users, or set required = false");
    }
    return new InboundAuth(users, required, grantsRelay, plaintext);
  }

  /**
   * The client networks. When {@code openRelayShare} is finite, networks that cover more than that
   * share of the public address space ({@link PublicCoverage}) make an open relay: a problem at the
   * network that does so alone, else at the list when they do so together.
   */
  private static List<ClientNetwork> networks(Section s, double openRelayShare) {
    List<ClientNetwork> out = new ArrayList<>();
    Optional<List<ConfigValue>> values = s.list("client-networks");
    if (values.isPresent() && values.get().isEmpty()) {
      s.problem("client-networks", "must name at least one network", "e.g. [\"192.168.1.0/24\"]");
    }
    List<ConfigValue> list = values.orElse(List.of());
    boolean reported = false;
    for (int i = 0; i < list.size(); i++) {
      String at = s.pathOf("client-networks") + "[" + i + "]";
      ConfigValue v = list.get(i);
      Optional<String> text = s.text(v, at);
      Optional<ClientNetwork> network = text.flatMap(t -> Cidr.parse(t, v.origin(), at, s.problems()));
      if (network.isPresent() && PublicCoverage.share(List.of(network.get())) > openRelayShare) {
        s.problems().add(v.origin(), at, "relay = true for " + text.orElseThrow() + " makes an open relay", OPEN_RELAY_HINT);
        reported = true;
      }
      network.ifPresent(out::add);
    }
    double together = PublicCoverage.share(out);
    if (!reported && together > openRelayShare) {
      s.problem("client-networks", "relay = true for these networks together makes an open relay: they cover "
          + percent(together) + " of the public address space (more than " + percent(openRelayShare) + ")",
          OPEN_RELAY_HINT);
    }
    return out;
  }

  /** A share as a percentage with three significant digits: "100%", "0.01%". */
  private static String percent(double share) {
    return new BigDecimal(share * 100).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "%";
  }

  private static Set<Domain> domains(Section s, String key) {
    Set<Domain> out = new LinkedHashSet<>();
    List<ConfigValue> values = s.list(key).orElse(List.of());
    for (int i = 0; i < values.size(); i++) {
      String at = s.pathOf(key) + "[" + i + "]";
      ConfigValue v = values.get(i);
      s.text(v, at).ifPresent(name -> {
        if (name.matches("[\\p{L}\\p{N}](?:[\\p{L}\\p{N}.-]*[\\p{L}\\p{N}])?")) {
          out.add(Domain.of(name));
        } else {
          s.problems().add(v.origin(), at, "'" + name + "' is not a domain name",
              "exact names only, e.g. example.com (no @, no wildcards)");
        }
      });
    }
    return out;
  }

  private static SessionLimits limits(Section s) {
    int before = s.problems().count();
    SessionLimits d = SessionLimits.DEFAULTS;
    long size = s.bytes("max-message-size").orElse(d.maxMessageSize());
    int recipients = s.integer("max-recipients", 1, 100_000).orElse(d.maxRecipients());
    int errors = s.integer("max-errors", 1, 1_000).orElse(d.maxErrors());
    int junk = s.integer("max-junk-commands", 1, 100_000).orElse(d.maxJunkCommands());
    int command = s.integer("max-command-line", 512, 1 << 20).orElse(d.maxCommandLine());
    long text = s.bytes("max-text-line").orElse((long) d.maxTextLine());
    if (text < 1000 || text > Integer.MAX_VALUE) {
      s.problem("max-text-line", text + " octets is out of range (1000..2GiB)", "RFC 5321 requires at least 1000");
    }
    var idle = s.duration("idle-timeout").orElse(d.idleTimeout());
    var data = s.duration("data-timeout").orElse(d.dataTimeout());
    s.finish();
    if (s.problems().count() > before) {
      return d;
    }
    return new SessionLimits(size, recipients, errors, command, (int) text, idle, data, junk);
  }
}
