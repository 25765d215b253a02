package relay.core.connector;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The certificate Relay presents in the TLS handshake to an upstream (for Exchange Online's
 * certificate-identified inbound connectors): a PEM chain, leaf first, and its private key.
 *
 * <p>The key may be encrypted; then {@code keyPassword} (already resolved from its secret reference)
 * decrypts it. {@link #toString()} never shows the password, so this record may be logged.
 * Immutable.
 *
 * @param certificate PEM file with the chain, leaf first
 * @param key PEM file with the private key (PKCS#1, PKCS#8, SEC1 EC, encrypted PKCS#8 or legacy
 *     OpenSSL-encrypted PEM)
 * @param keyPassword the key's password, or null when the key is not encrypted
 */
public record ClientCertificate(Path certificate, Path key, Secret keyPassword) {

  public ClientCertificate {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
  }

  @Override
  public String toString() {
    return "ClientCertificate[certificate=" + certificate + ", key=" + key
        + (keyPassword == null ? "" : ", keyPassword=***") + "]";
  }
}
