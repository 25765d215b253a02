package relay.server.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.PrivateKey;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests, made with Bouncy Castle: server certificates
 * that are good, for another name, expired or self-signed (a certificate "from an untrusted CA" is
 * one from a second TestPki), and client certificates written as PEM with a plain or encrypted key.
 */
public final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong();

  private final KeyPair caKeys;
  private final X509Certificate caCert;

  public TestPki(String caName) throws Exception {
    caKeys = keyPair();
    X500Name subject = new X500Name("CN=" + caName);
    X509v3CertificateBuilder builder =
        builder(subject, subject, caKeys, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    caCert = sign(builder, caKeys);
  }

  /** Writes the CA certificate as PEM. */
  public Path writeCaPem(Path dir) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(caCert);
    }
    Path file = dir.resolve("ca-" + caCert.getSerialNumber() + ".pem");
    Files.writeString(file, text.toString());
    return file;
  }

  /** The PEM files of a client certificate: the chain (leaf first) and the key. */
  public record ClientFiles(Path certificate, Path key) {}

  /** A certificate and its key. */
  public record Issued(PrivateKey key, X509Certificate certificate) {}

  /** A server SSLContext whose certificate, issued by this CA and valid now, names {@code dnsName}. */
  public SSLContext serverContext(String dnsName) throws Exception {
    return context(issue(dnsName, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1))), null);
  }

  /** Like {@link #serverContext}, valid from an hour ago for {@code validFor} (e.g. a year, or days to test expiry warnings). */
  public SSLContext serverContext(String dnsName, Duration validFor) throws Exception {
    return context(issue(dnsName, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(validFor)), null);
  }

  /** Like {@link #serverContext}, but the certificate expired at {@code notAfter} (a month after it began). */
  public SSLContext expiredServerContext(String dnsName, Instant notAfter) throws Exception {
    return context(issue(dnsName, notAfter.minus(Duration.ofDays(30)), notAfter), null);
  }

  /** A server context that also asks for (but does not require) a client certificate issued by this CA. */
  public SSLContext serverContextTrustingClients(String dnsName) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", caCert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    return context(issue(dnsName, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1))), tmf);
  }

  /** A server context with a certificate that names {@code dnsName} and is signed by its own key. */
  public static SSLContext selfSignedServerContext(String dnsName) throws Exception {
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=" + dnsName);
    X509v3CertificateBuilder builder = builder(name, name, keys, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    X509Certificate cert = sign(builder, keys);
    return context(new Issued(keys.getPrivate(), cert), null, cert);
  }

  /** A certificate for {@code dnsName} (subject CN and SAN), issued by this CA. */
  public Issued issue(String dnsName, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder builder =
        builder(new X500Name(caCert.getSubjectX500Principal().getName()), new X500Name("CN=" + dnsName), keys, notBefore, notAfter);
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    return new Issued(keys.getPrivate(), sign(builder, caKeys));
  }

  /**
   * Writes a client certificate issued by this CA (chain PEM) and its key: encrypted PKCS#8 when a
   * password is given, plain PKCS#8 otherwise.
   *
   */
  public ClientFiles writeClientCertificate(Path dir, String commonName, String password) throws Exception {
    Issued client = issue(commonName, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    Path certificate = dir.resolve(commonName + ".crt");
    Path key = dir.resolve(commonName + ".key");
    Files.writeString(certificate, pem(client.certificate()) + pem(caCert));
    Object keyObject = password == null
        ? new JcaPKCS8Generator(client.key(), null)
        : new JcaPKCS8Generator(client.key(), new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
            .setPassword(password.toCharArray()).build());
    Files.writeString(key, pem(keyObject));
    return new ClientFiles(certificate, key);
  }

  private SSLContext context(Issued issued, TrustManagerFactory trust) throws Exception {
    return context(issued, trust, issued.certificate(), caCert);
  }

  private static SSLContext context(Issued issued, TrustManagerFactory trust, X509Certificate... chain) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("server", issued.key(), password, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
    return context;
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(object);
    }
    return text.toString();
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant notBefore, Instant notAfter) {
    BigInteger serial = BigInteger.valueOf(System.nanoTime()).add(BigInteger.valueOf(SERIALS.incrementAndGet()));
    return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }
}
