package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import relay.core.connector.Secret;
import relay.core.connector.ClientCertificate;
import relay.core.connector.ExpectedName;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.TlsVersion;

/**
 * Binds the TLS keys of an outbound connector into a {@link TlsPolicy}: {@code tls},
 * {@code tls-names}, {@code tls-min-version}, {@code ca-file} and {@code client-certificate
 * { certificate, key, key-password }}. A key that would have no effect under the chosen mode (names
 * or a CA file without {@code verify}, a client certificate with {@code none}) is a problem rather
 * than silently ignored. The key password is a secret reference, resolved by the load's
 * {@link SecretReader}; its value never appears in a problem.
 *
 * <p>Not thread-safe (records into the load's problems); one per load.
 */
final class TlsPolicyBinder {

  /** The keys this binder reads, so a connector type without TLS can report them as foreign. */
  static final List<String> KEYS = List.of("tls", "tls-names", "tls-min-version", "ca-file", "client-certificate");

  private final Path home;
  private final SecretReader secrets;

  TlsPolicyBinder(Path home, SecretReader secrets) {
    this.home = home;
    this.secrets = secrets;
  }

  /** The policy, or empty when a key had a problem (recorded); {@code defaultMode} when {@code tls} is absent. */
  Optional<TlsPolicy> bind(Section s, TlsMode defaultMode) {
    int before = s.problems().count();
    TlsMode mode = s.choice("tls", TlsMode.class).orElse(defaultMode);
    List<ExpectedName> names = names(s);
    TlsVersion minimum = s.text("tls-min-version").flatMap(text -> {
      Optional<TlsVersion> version = TlsVersion.named(text);
      if (version.isEmpty()) {
        s.problem("tls-min-version", "'" + text + "' is not a TLS version Relay accepts upstream",
            "TLSv1.2 or TLSv1.3 (TLS 1.0 and 1.1 are not safe and Microsoft 365 refuses them)");
      }
      return version;
    }).orElse(TlsVersion.TLS_1_2);
    Path caFile = s.text("ca-file").map(home::resolve).orElse(null);
    Optional<ClientCertificate> client = s.section("client-certificate").flatMap(this::clientCertificate);
    if (mode != TlsMode.VERIFY) {
      for (String key : List.of("tls-names", "ca-file")) {
        if (s.value(key).isPresent()) {
          s.problem(key, "only applies with tls = verify (tls = " + word(mode) + " checks no certificate)",
              "set tls = verify, or remove '" + key + "'");
        }
      }
    }
    if (mode == TlsMode.NONE && s.value("client-certificate").isPresent()) {
      s.problem("client-certificate", "needs TLS, but tls = none", "set tls = required or verify");
    }
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new TlsPolicy(mode, names, minimum, caFile, client.orElse(null)));
  }

  private List<ExpectedName> names(Section s) {
    List<ExpectedName> out = new ArrayList<>();
    s.list("tls-names").ifPresent(values -> {
      if (values.isEmpty()) {
        s.problem("tls-names", "must name at least one name, or be left out to expect the host's own name",
            "e.g. tls-names = [\"*.mail.protection.outlook.com\"]");
      }
      for (int i = 0; i < values.size(); i++) {
        ConfigValue v = values.get(i);
        String at = s.pathOf("tls-names") + "[" + i + "]";
        s.text(v, at).ifPresent(text -> {
          try {
            out.add(ExpectedName.of(text));
          } catch (IllegalArgumentException e) {
            s.problems().add(v.origin(), at, e.getMessage(), "e.g. mx.partner.example or *.mail.protection.outlook.com");
          }
        });
      }
    });
    return out;
  }

  private Optional<ClientCertificate> clientCertificate(Section c) {
    int before = c.problems().count();
    c.require("certificate", "key");
    Optional<Path> certificate = c.text("certificate").map(home::resolve);
    Optional<Path> key = c.text("key").map(home::resolve);
    Optional<Secret> password = secrets.read(c, "key-password");
    c.finish();
    if (c.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new ClientCertificate(certificate.orElseThrow(), key.orElseThrow(),
        password.orElse(null)));
  }

  private static String word(TlsMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
