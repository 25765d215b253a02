package relay.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Legacy OpenSSL-encrypted PEM keys ({@code Proc-Type: 4,ENCRYPTED}), as older tools write them. */
class EncryptedKeyTest {

  @TempDir Path dir;

  @Test
  void legacyEncryptedRsaKeyDecryptsWithItsPassword() throws Exception {
    KeyPair keys = rsa();
    Path file = writeLegacy(keys.getPrivate(), "s3cret-pass");

    PrivateKey read = PemKeyMaterial.readKey(file, "s3cret-pass".toCharArray());

    assertThat(read.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void legacyEncryptedKeyWithWrongPasswordNamesTheFileOnly() throws Exception {
    Path file = writeLegacy(rsa().getPrivate(), "s3cret-pass");

    assertThatThrownBy(() -> PemKeyMaterial.readKey(file, "guess-123".toCharArray()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageNotContaining("guess-123")
        .hasMessageNotContaining("s3cret-pass");
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private Path writeLegacy(PrivateKey key, String password) throws Exception {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(new JcaMiscPEMGenerator(key, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider()).build(password.toCharArray())));
    }
    assertThat(text.toString()).contains("Proc-Type: 4,ENCRYPTED");
    return Files.writeString(dir.resolve("legacy.key"), text.toString());
  }
}
