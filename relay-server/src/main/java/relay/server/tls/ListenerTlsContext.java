package relay.server.tls;

import io.netty.handler.ssl.CipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.config.model.ListenerTls;

/**
 * The server TLS context of a listener: the protocol versions from the listener's minimum up, and
 * the JDK's cipher suites without plain-RSA key exchange ({@code TLS_RSA_*}, no forward secrecy);
 * a listener for old devices ({@code tls-min-version} below TLS 1.2) adds the CBC suites with RSA
 * key exchange that such printers and scanners speak.
 *
 * <p>The JDK disables TLS 1.0, 1.1 and {@code TLS_RSA_*} for the whole process
 * ({@code jdk.tls.disabledAlgorithms}). {@link #allowLegacy} lifts exactly those entries, once, at
 * start and before any TLS is used, and only when a listener asks for them; from then on the other
 * listeners keep TLS 1.2+ and forward-secret suites because their contexts name them, and every
 * client connection (outbound SMTP, the token endpoint) because {@code jdk.tls.client.protocols} is
 * set to TLS 1.3 and 1.2 and the outbound transports name their versions themselves.
 *
 * <p>Stateless; {@link #allowLegacy} changes process-wide security settings.
 */
public final class ListenerTlsContext {

  private static final Logger log = LoggerFactory.getLogger(ListenerTlsContext.class);

  /** What old devices speak: AES in CBC mode with SHA-1, with and without ECDHE. */
  private static final List<String> LEGACY_SUITES = List.of(
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384");
  private static final Set<String> LIFTED = Set.of("TLSv1", "TLSv1.1", "TLS_RSA_*");

  private ListenerTlsContext() {}

  /** The context for a listener with this key material and TLS settings. */
  public static SslContext build(PemKeyMaterial material, ListenerTls tls) throws SSLException {
    boolean legacy = tls.minVersion().isLegacy();
    CipherSuiteFilter suites = (wanted, defaults, supported) -> {
      List<String> out = new ArrayList<>();
      for (String suite : wanted == null ? defaults : toList(wanted)) {
        if (supported.contains(suite) && !out.contains(suite) && (legacy || !suite.startsWith("TLS_RSA_"))) {
          out.add(suite);
        }
      }
      if (legacy) {
        LEGACY_SUITES.stream().filter(supported::contains).filter(s -> !out.contains(s)).forEach(out::add);
      }
      return out.toArray(String[]::new);
    };
    return SslContextBuilder.forServer(material.key(), material.chain())
        .protocols(tls.minVersion().andNewer())
        .ciphers(null, suites)
        .build();
  }

  /**
   * Lets listeners that ask for it accept TLS 1.0 and 1.1 with RSA key exchange: lifts those three
   * entries from {@code jdk.tls.disabledAlgorithms} and pins client connections to TLS 1.2+. Call
   * before any TLS is used in the process (the JDK reads both settings once); does nothing when no
   * listener names a version below TLS 1.2.
   *
   * @param legacyListeners names of the listeners that accept TLS below 1.2
   */
  public static void allowLegacy(List<String> legacyListeners) {
    if (legacyListeners.isEmpty()) {
      return;
    }
    String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
    String kept = Arrays.stream(disabled == null ? new String[0] : disabled.split(","))
        .map(String::strip).filter(entry -> !LIFTED.contains(entry)).collect(Collectors.joining(", "));
    Security.setProperty("jdk.tls.disabledAlgorithms", kept);
    if (System.getProperty("jdk.tls.client.protocols") == null) {
      System.setProperty("jdk.tls.client.protocols", "TLSv1.3,TLSv1.2");
    }
    log.warn("listener(s) {} accept TLS 1.0/1.1 for old devices (tls-min-version); every other listener and "
        + "all outbound connections keep TLS 1.2 or newer", legacyListeners);
  }

  private static List<String> toList(Iterable<String> suites) {
    List<String> list = new ArrayList<>();
    suites.forEach(list::add);
    return list;
  }
}
