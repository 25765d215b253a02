package relay.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The listener certificate of the embedded default: generated once on first start (RSA 2048, so old
 * devices can still negotiate) and kept as PEM files in the data directory, so that clients that
 * pinned it keep trusting it across restarts.
 *
 * <p>Not thread-safe across processes: two relays sharing one data directory is not supported anyway.
 */
public final class SelfSignedCertificate {

  private static final String CERT_FILE = "relay-selfsigned.crt";
  private static final String KEY_FILE = "relay-selfsigned.key";

  private final Path directory;
  private final String hostName;
  private final Instant now;

  /**
   * @param directory where the PEM files live ({@code <home>/tls})
   * @param hostName the name put in the certificate (CN and subjectAltName, with localhost)
   * @param now the start of validity
   */
  public SelfSignedCertificate(Path directory, String hostName, Instant now) {
    this.directory = directory;
    this.hostName = hostName;
    this.now = now;
  }

  /** Reads the existing certificate, or generates and writes a new one first. */
  public PemKeyMaterial loadOrCreate() throws IOException {
    Path cert = directory.resolve(CERT_FILE);
    Path key = directory.resolve(KEY_FILE);
    if (!Files.exists(cert) || !Files.exists(key)) {
      Files.createDirectories(directory);
      PemKeyMaterial fresh = generate(hostName, now, Duration.ofDays(3650));
      writeAtomically(key, pem(fresh.key()), true);
      writeAtomically(cert, pem(fresh.chain().getFirst()), false);
    }
    return PemKeyMaterial.read(cert, key);
  }

  /** Generates a self-signed certificate for {@code hostName} (and localhost, 127.0.0.1, ::1). */
  public static PemKeyMaterial generate(String hostName, Instant notBefore, Duration validity) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + hostName.replace(",", "\\,") + ",O=Relay (self-signed)");
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()),
              Date.from(notBefore.minus(Duration.ofDays(1))),
              Date.from(notBefore.plus(validity)),
              subject,
              pair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, hostName),
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              }));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      return new PemKeyMaterial(List.of(cert), pair.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate a self-signed certificate", e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    if (secret) {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: rely on the directory's permissions
      }
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
