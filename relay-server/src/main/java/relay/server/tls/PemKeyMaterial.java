package relay.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A certificate chain and its private key read from PEM files, as operators have them (the key as
 * PKCS#1 RSA, SEC1 EC or unencrypted PKCS#8).
 *
 * <p>Invariant: the chain is non-empty, leaf first. Immutable and thread-safe.
 */
public record PemKeyMaterial(List<X509Certificate> chain, PrivateKey key) {

  public PemKeyMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate in chain");
    }
  }

  /** Reads the chain and the key; errors name the file that could not be read. */
  public static PemKeyMaterial read(Path certificateFile, Path keyFile) throws IOException {
    return new PemKeyMaterial(readCertificates(certificateFile), readKey(keyFile));
  }

  /** Reads every certificate in a PEM file (a chain or a CA bundle). */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certs.isEmpty()) {
        throw new IOException(file + ": no PEM certificate found");
      }
      return certs;
    } catch (CertificateException e) {
      throw new IOException(file + ": not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** Reads an unencrypted private key in PKCS#1, SEC1 or PKCS#8 PEM form. */
  public static PrivateKey readKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
      throw new IOException(file + ": no unencrypted PEM private key found");
    }
  }

  /** Key managers presenting this chain (for a server, or a client certificate). */
  public KeyManagerFactory keyManagers() throws IOException {
    try {
      char[] none = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, none);
      store.setKeyEntry("relay", key, none, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, none);
      return kmf;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot use the certificate and key: " + e.getMessage(), e);
    }
  }
}
