package relay.server.outbound.oauth;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and as whom the relay asks for app-only tokens: the authority (Entra ID by default), the
 * tenant, the application (client) id, the scope and the credential. The token URL is {@code
 * {authority}/{tenant}/oauth2/v2.0/token}.
 *
 * <p>Invariants: the authority is an absolute https (or, for tests, http) URI without query; tenant
 * and client id are non-blank URL path/form safe tokens. Immutable; {@code toString()} does not
 * reveal the credential's secret.
 */
public record TokenEndpoint(
    URI authority, String tenant, String clientId, String scope, ClientCredential credential) {

  /** Entra ID's public-cloud authority. */
  public static final URI MICROSOFT_AUTHORITY = URI.create("https://login.microsoftonline.com");

  /** The scope of an app-only token for Exchange Online SMTP, POP and IMAP. */
  public static final String OUTLOOK_SCOPE = "https://outlook.office365.com/.default";

  // a tenant is a GUID, a domain name, or one of common/organizations/consumers
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,253}");

  public TokenEndpoint {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(credential, "credential");
    if (!authority.isAbsolute()
        || !("https".equals(authority.getScheme()) || "http".equals(authority.getScheme()))
        || authority.getRawQuery() != null
        || authority.getRawFragment() != null) {
      throw new IllegalArgumentException("authority must be an https URL without query: " + authority);
    }
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant must be a tenant id or domain: " + tenant);
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("client id is missing");
    }
    if (scope == null || scope.isBlank()) {
      throw new IllegalArgumentException("scope is missing");
    }
  }

  /** An endpoint at Entra ID's public cloud for the Exchange Online scope. */
  public static TokenEndpoint microsoft(String tenant, String clientId, ClientCredential credential) {
    return new TokenEndpoint(MICROSOFT_AUTHORITY, tenant, clientId, OUTLOOK_SCOPE, credential);
  }

  /** {@code {authority}/{tenant}/oauth2/v2.0/token}; also the audience of a client assertion. */
  public URI tokenUri() {
    String base = authority.toString();
    String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return URI.create(trimmed + "/" + tenant + "/oauth2/v2.0/token");
  }

  /** A short, secret-free name for logs and metrics tags: tenant and client id. */
  public String describe() {
    return tenant + "/" + clientId;
  }
}
