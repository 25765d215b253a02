package relay.server.outbound;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The identities a server certificate presents: its subjectAltName DNS names and IP addresses, or,
 * only when it has no DNS name there, the common names of its subject (RFC 6125 §6.4.4). Immutable.
 */
record PresentedNames(List<String> dnsNames, List<InetAddress> addresses) {

  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  PresentedNames {
    dnsNames = List.copyOf(dnsNames);
    addresses = List.copyOf(addresses);
  }

  static PresentedNames of(X509Certificate certificate) {
    List<String> dns = new ArrayList<>();
    List<InetAddress> ips = new ArrayList<>();
    try {
      Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
      for (List<?> entry : entries == null ? List.<List<?>>of() : entries) {
        if (entry.get(0) instanceof Integer type && entry.get(1) instanceof String value) {
          if (type == DNS_NAME) {
            dns.add(value);
          } else if (type == IP_ADDRESS) {
            ips.add(InetAddress.ofLiteral(value));
          }
        }
      }
    } catch (CertificateParsingException | IllegalArgumentException e) {
      // an unreadable extension names nothing; the check then fails with the subject in its reason
    }
    if (dns.isEmpty()) {
      dns.addAll(commonNames(certificate));
    }
    return new PresentedNames(dns, ips);
  }

  @Override
  public String toString() {
    List<String> all = new ArrayList<>(dnsNames);
    addresses.forEach(a -> all.add(a.getHostAddress()));
    return String.join(", ", all);
  }

  private static List<String> commonNames(X509Certificate certificate) {
    try {
      List<String> names = new ArrayList<>();
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
      return names;
    } catch (InvalidNameException e) {
      return List.of();
    }
  }
}
