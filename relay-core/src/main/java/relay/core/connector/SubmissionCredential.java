package relay.core.connector;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How an {@code smtp-auth} connector proves who it is to Microsoft 365 (or another submission
 * server). A closed set: app-only OAuth 2.0 tokens sent with XOAUTH2 (the default), or a mailbox
 * password sent with LOGIN or PLAIN (an explicit, deprecated choice). Immutable; {@code toString()}
 * never shows a secret because {@link Secret} does not.
 */
public sealed interface SubmissionCredential {

  /**
   * An app registration asking for client-credentials tokens at {@code {authority}/{tenant}/oauth2/v2.0/token}.
   *
   * @param clientSecret the client secret, or null when a certificate is used
   * @param certificate PEM certificate registered for the app, or null when a secret is used
   * @param key PEM private key of that certificate, or null when a secret is used
   * @param caFile PEM CA bundle trusted for the token endpoint instead of the system trust store
   *     (private clouds, tests), or null for the system trust store
   */
  record OAuth(URI authority, String tenant, String clientId, String scope, Secret clientSecret, Path certificate, Path key,
      Path caFile) implements SubmissionCredential {
    /** Entra ID's public cloud. */
    public static final URI MICROSOFT = URI.create("https://login.microsoftonline.com");
    /** The scope for Exchange Online SMTP. */
    public static final String OUTLOOK_SCOPE = "https://outlook.office365.com/.default";

    /** A credential whose token endpoint is trusted through the system trust store. */
    public OAuth(URI authority, String tenant, String clientId, String scope, Secret clientSecret, Path certificate, Path key) {
      this(authority, tenant, clientId, scope, clientSecret, certificate, key, null);
    }

    public OAuth {
      Objects.requireNonNull(authority, "authority");
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(scope, "scope");
      if ((clientSecret == null) == (certificate == null || key == null)) {
        throw new IllegalArgumentException("an OAuth credential has either a client secret or a certificate and key");
      }
    }
  }

  /** A mailbox password sent with SASL LOGIN or PLAIN. */
  record Password(Mechanism mechanism, Secret password) implements SubmissionCredential {
    public Password {
      Objects.requireNonNull(mechanism, "mechanism");
      Objects.requireNonNull(password, "password");
    }
  }

  /** The SASL mechanisms for a password. */
  enum Mechanism { LOGIN, PLAIN }
}
