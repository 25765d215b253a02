package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A server certificate given by the operator as PEM files. The files are only named here; they are
 * read (and their errors reported) by the TLS set-up in relay-server.
 *
 * @param certificate PEM certificate chain, leaf first (absolute path)
 * @param key PEM private key of the leaf certificate (absolute path)
 */
public record TlsFiles(Path certificate, Path key) {

  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
  }
}
