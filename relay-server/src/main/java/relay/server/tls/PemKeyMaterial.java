package relay.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * A certificate chain and its private key read from PEM files, as operators have them (the key as
 * PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted PKCS#8 or legacy OpenSSL-encrypted PEM with
 * {@code Proc-Type: 4,ENCRYPTED}). Errors name the file and never the password.
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

  /** Reads the chain and an unencrypted key; errors name the file that could not be read. */
  public static PemKeyMaterial read(Path certificateFile, Path keyFile) throws IOException {
    return new PemKeyMaterial(readCertificates(certificateFile), readKey(keyFile));
  }

  /**
   * Reads the chain and a key that may be encrypted.
   *
   * @param password decrypts the key; null when the key is not encrypted
   */
  public static PemKeyMaterial read(Path certificateFile, Path keyFile, char[] password) throws IOException {
    return new PemKeyMaterial(readCertificates(certificateFile), readKey(keyFile, password));
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

  /** A key store trusting exactly the certificates of the PEM bundle {@code caBundle}. */
  public static KeyStore trustStore(Path caBundle) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    List<X509Certificate> cas = readCertificates(caBundle);
    for (int i = 0; i < cas.size(); i++) {
      store.setCertificateEntry("ca-" + i, cas.get(i));
    }
    return store;
  }

  /** Reads an unencrypted private key in PKCS#1, SEC1 or PKCS#8 PEM form. */
  public static PrivateKey readKey(Path file) throws IOException {
    return readKey(file, null);
  }

  /**
   * Reads a private key in PKCS#1, SEC1 or PKCS#8 PEM form, decrypting an encrypted PKCS#8 or a
   * legacy OpenSSL-encrypted key with the password.
   *
   * @param password null when the key is not encrypted (an encrypted key is then an error saying so)
   */
  public static PrivateKey readKey(Path file, char[] password) throws IOException {
    try (Reader reader = Files.newBufferedReader(file);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        switch (o) {
          case PEMKeyPair pair -> {
            return converter.getPrivateKey(pair.getPrivateKeyInfo());
          }
          case PrivateKeyInfo info -> {
            return converter.getPrivateKey(info);
          }
          case PKCS8EncryptedPrivateKeyInfo encrypted -> {
            return converter.getPrivateKey(decrypt(file, encrypted, password));
          }
          case PEMEncryptedKeyPair encrypted -> {
            return converter.getPrivateKey(decrypt(file, encrypted, password).getPrivateKeyInfo());
          }
          default -> {
            // certificates or parameters in the same file are allowed; keep looking for the key
          }
        }
      }
      throw new IOException(file + ": no PEM private key found");
    }
  }

  private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo key, char[] password) throws IOException {
    requirePassword(file, password);
    try {
      return key.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bouncyCastle()).build(password));
    } catch (OperatorCreationException | PKCSException e) {
      // Bouncy Castle's message can describe padding or MAC failures; the password never appears in it.
      throw new IOException(file + ": cannot decrypt the private key (wrong key-password?)", e);
    }
  }

  private static PEMKeyPair decrypt(Path file, PEMEncryptedKeyPair key, char[] password) throws IOException {
    requirePassword(file, password);
    try {
      return key.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(bouncyCastle()).build(password));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": cannot decrypt the private key (wrong key-password?)", e);
    }
  }

  // OpenSSL's key derivations and cipher names are Bouncy Castle's own; the provider is handed to the
  // decryptor only, never registered with the JDK (so it never becomes a JSSE provider).
  private static Provider bouncyCastle() {
    return new BouncyCastleProvider();
  }

  private static void requirePassword(Path file, char[] password) throws IOException {
    if (password == null || password.length == 0) {
      throw new IOException(file + ": the private key is encrypted, but no key-password is configured");
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
