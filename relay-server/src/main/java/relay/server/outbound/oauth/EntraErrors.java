package relay.server.outbound.oauth;

import java.util.Map;
import java.util.Optional;

/**
 * What the {@code AADSTS} codes an Entra ID token endpoint answers with mean for an app-only SMTP
 * credential, and what the operator should change: the one place these explanations live (used by
 * {@code relay test-connector}). The wording is ours; the codes are Microsoft's documented ones.
 * Stateless.
 */
public final class EntraErrors {

  private static final Map<Long, String> MEANINGS = Map.ofEntries(
      Map.entry(7000215L, "the client secret is wrong: copy the secret's Value (shown once when it was created), "
          + "not its Secret ID, into the connector's client-secret"),
      Map.entry(7000222L, "the client secret has expired: create a new secret for the app registration "
          + "(Certificates & secrets) and update client-secret; consider a certificate credential instead"),
      Map.entry(700016L, "no application with this client-id exists in the tenant: check client-id (the "
          + "Application (client) ID) and tenant, and that the app was consented to in this tenant"),
      Map.entry(90002L, "the tenant does not exist: check tenant (the Directory (tenant) ID or a verified "
          + "domain such as contoso.onmicrosoft.com)"),
      Map.entry(900023L, "the tenant identifier is not valid: use the Directory (tenant) ID GUID or a verified domain"),
      Map.entry(90023L, "the tenant identifier is not valid: use the Directory (tenant) ID GUID or a verified domain"),
      Map.entry(50126L, "invalid user name or password: a user sign-in was attempted; app-only SMTP needs the "
          + "client credentials grant with the app's secret or certificate"),
      Map.entry(700027L, "the client assertion was refused: the certificate is not the one uploaded to the app "
          + "registration, or its key does not match; upload the certificate (public part) again"),
      Map.entry(700024L, "the client assertion is outside its validity period: check this machine's clock (NTP)"),
      Map.entry(7000218L, "the request carried neither client_secret nor client_assertion: configure a "
          + "client-secret or a certificate and key for the credential"),
      Map.entry(7000112L, "the application is disabled in the tenant: enable it under Enterprise applications"),
      Map.entry(500011L, "the resource (Office 365 Exchange Online) is not in the tenant, or the scope is wrong: "
          + "use scope https://outlook.office365.com/.default"),
      Map.entry(70011L, "the scope is not valid: app-only SMTP uses https://outlook.office365.com/.default"),
      Map.entry(1002012L, "the scope is not valid: app-only SMTP uses https://outlook.office365.com/.default"),
      Map.entry(65001L, "admin consent is missing: grant admin consent for the app's SMTP.SendAsApp "
          + "(Office 365 Exchange Online) application permission"),
      Map.entry(650057L, "the app does not request a permission for this resource: add the application "
          + "permission SMTP.SendAsApp of Office 365 Exchange Online and grant admin consent"),
      Map.entry(53003L, "a Conditional Access policy blocked the sign-in: exclude the app (workload identity) "
          + "or allow this relay's address"),
      Map.entry(70003L, "the grant type is not supported: app-only SMTP uses client_credentials"),
      Map.entry(1002016L, "TLS 1.2 or newer is required to reach the token endpoint"));

  private EntraErrors() {}

  /** What {@code code} (the number after {@code AADSTS}) means and how to fix it, if known. */
  public static Optional<String> explain(long code) {
    return Optional.ofNullable(MEANINGS.get(code));
  }

  /** The explanation of the first known code in {@code reply}: its error_codes, else the description's AADSTS number. */
  public static Optional<String> explain(TokenErrorReply reply) {
    for (Long code : reply.errorCodes()) {
      Optional<String> known = explain(code);
      if (known.isPresent()) {
        return known;
      }
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("AADSTS(\\d{1,9})").matcher(reply.description());
    return m.find() ? explain(Long.parseLong(m.group(1))) : Optional.empty();
  }
}
