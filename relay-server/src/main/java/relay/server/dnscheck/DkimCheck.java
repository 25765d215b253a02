package relay.server.dnscheck;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Type;

/**
 * The DKIM checks. With a selector: the TXT key record at {@code SELECTOR._domainkey.DOMAIN}
 * (RFC 6376 3.6.1: {@code v=DKIM1} if present, a {@code p=} key, empty meaning revoked). Without
 * one, for Microsoft 365: the {@code selector1} and {@code selector2} CNAMEs its DKIM set-up asks
 * for, pointing into the tenant's {@code onmicrosoft.com} domain (or, for domains set up since
 * 2025, {@code dkim.mail.microsoft}). Selectors cannot be discovered from DNS, so without either
 * there is nothing to check. Stateless.
 */
final class DkimCheck {

  static final String AREA = "DKIM";

  private DkimCheck() {}

  static List<Finding> check(DnsLookup dns, String domain, String selector, boolean microsoft365) throws InterruptedException {
    List<Finding> findings = new ArrayList<>();
    if (selector != null) {
      findings.add(key(dns, selector + "._domainkey." + domain));
    } else if (microsoft365) {
      for (String s : List.of("selector1", "selector2")) {
        findings.add(microsoft(dns, s + "._domainkey." + domain));
      }
    } else {
      findings.add(new Finding(AREA, "selector", Outcome.INFO, "no selector given and the domain is not in Microsoft 365",
          "give --selector NAME (the s= tag of a signed message's DKIM-Signature) to check that key"));
    }
    return findings;
  }

  private static Finding microsoft(DnsLookup dns, String name) throws InterruptedException {
    DnsAnswer answer = dns.ask(name, Type.CNAME);
    if (answer instanceof DnsAnswer.Failed f) {
      return Finding.dnsError(AREA, name, name + " CNAME", f);
    }
    if (answer.records().isEmpty()) {
      return new Finding(AREA, name, Outcome.WARN, name + ": no CNAME (" + answer.describe() + ")",
          "Microsoft 365 then signs with the onmicrosoft.com domain, which does not align for DMARC: publish the two CNAMEs "
              + "shown in Defender portal > Email authentication settings > DKIM, then enable signing");
    }
    String target = DnsLookup.text(((CNAMERecord) answer.records().getFirst()).getTarget());
    return target.endsWith(".onmicrosoft.com") || target.endsWith(".dkim.mail.microsoft")
        ? Finding.pass(AREA, name, "CNAME " + target)
        : new Finding(AREA, name, Outcome.WARN, "CNAME " + target + ": not into onmicrosoft.com",
            "copy the exact value from Defender portal > Email authentication settings > DKIM");
  }

  private static Finding key(DnsLookup dns, String name) throws InterruptedException {
    DnsAnswer answer = dns.ask(name, Type.TXT);
    if (answer instanceof DnsAnswer.Failed f) {
      return Finding.dnsError(AREA, name, name + " TXT", f);
    }
    List<String> texts = dns.texts(answer);
    if (texts.isEmpty()) {
      return new Finding(AREA, name, Outcome.FAIL, name + ": " + answer.describe(),
          "signatures with this selector cannot be verified: publish the key your signer gives you");
    }
    if (texts.size() > 1) {
      return new Finding(AREA, name, Outcome.FAIL, texts.size() + " TXT records", "keep exactly one key record per selector");
    }
    String text = texts.getFirst();
    Map<String, String> tags = TagList.parse(text);
    String version = tags.get("v");
    if (version != null && (!version.equals("DKIM1") || !text.strip().startsWith("v"))) {
      return new Finding(AREA, name, Outcome.FAIL, text, "v= must be DKIM1 and come first (RFC 6376 3.6.1)");
    }
    String p = tags.get("p");
    if (p == null) {
      return new Finding(AREA, name, Outcome.FAIL, text, "no p= tag: publish the public key as p=BASE64");
    }
    if (p.isEmpty()) {
      return new Finding(AREA, name, Outcome.FAIL, "p= is empty: the key is revoked (RFC 6376 3.6.1)",
          "sign with another selector, or publish the current key");
    }
    String keyType = tags.getOrDefault("k", "rsa");
    if (!keyType.equals("rsa")) {
      return Finding.pass(AREA, name, "k=" + keyType + " key of " + p.length() + " base64 characters");
    }
    try {
      byte[] der = Base64.getDecoder().decode(p.replaceAll("\\s", ""));
      int bits = ((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der))).getModulus().bitLength();
      return bits < 1024
          ? new Finding(AREA, name, Outcome.FAIL, "RSA key of " + bits + " bits", "RFC 8301 requires at least 1024 bits; use 2048")
          : Finding.pass(AREA, name, "RSA key of " + bits + " bits");
    } catch (IllegalArgumentException | java.security.GeneralSecurityException | ClassCastException e) {
      return new Finding(AREA, name, Outcome.FAIL, "p= is not a valid RSA public key", "copy the key again; it may have been cut");
    }
  }
}
