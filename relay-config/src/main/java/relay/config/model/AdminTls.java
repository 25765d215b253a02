package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS on the admin endpoint: its certificate, and whom it trusts when it calls other nodes' admin
 * endpoints (the cluster-wide views). The files are only named here; relay-server reads them.
 *
 * @param files the endpoint's certificate chain and key (PEM)
 * @param trust PEM CA certificates that sign the other nodes' admin certificates; empty: the JVM's
 *     trusted CAs. This node's own certificate is always trusted for its own address.
 */
public record AdminTls(TlsFiles files, Optional<Path> trust) {

  public AdminTls {
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(trust, "trust");
  }
}
