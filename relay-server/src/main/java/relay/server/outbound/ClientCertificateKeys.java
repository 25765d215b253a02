package relay.server.outbound;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the connector's one client certificate whenever an upstream asks for one, whichever CAs
 * the upstream names in its request: the JDK's key manager would otherwise stay silent when the
 * list does not contain the certificate's issuer, and the upstream (Exchange Online's
 * certificate-identified connectors, for one) decides by the certificate's name, not by that list.
 * The key type still has to fit the handshake, so that choice is left to the JDK's key manager.
 *
 * <p>Never used for server certificates. Immutable and thread-safe.
 */
final class ClientCertificateKeys extends X509ExtendedKeyManager {

  private final X509ExtendedKeyManager keys;

  ClientCertificateKeys(X509ExtendedKeyManager keys) {
    this.keys = keys;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return keys.chooseClientAlias(keyTypes, null, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return keys.chooseEngineClientAlias(keyTypes, null, engine);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return keys.getClientAliases(keyType, null);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return keys.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return keys.getPrivateKey(alias);
  }
}
