package relay.core.delivery;

import java.util.Objects;

/**
 * The upstream server one delivery attempt was connected to: the name it is known by, the address
 * actually connected to, the TLS session when one was up, and the mailbox signed in as when the
 * connector submits with SMTP AUTH. It is what a delivery status notification names as
 * {@code Remote-MTA} and what the tracking log shows as {@code remote_host}, {@code remote_ip} and
 * {@code tls}.
 *
 * <p>Invariant: {@code name} and {@code address} are one printable token each (no spaces, no
 * control characters), so that they may go into a header field or a log line as they are; the
 * same holds for the TLS names. Immutable.
 *
 * @param name the host name as configured (smart hosts) or found in DNS (an MX target); an address
 *     literal when the host was configured as one
 * @param address the IP address connected to, as text ({@code 192.0.2.1}, {@code 2001:db8::1})
 * @param tls the TLS session in use, or null when the session stayed in clear text
 * @param login the mailbox the session signed in as with SMTP AUTH, or null when it did not sign in
 */
public record UpstreamHop(String name, String address, Tls tls, String login) {

  public UpstreamHop {
    token(name, "name");
    token(address, "address");
    if (login != null) {
      token(login, "login");
    }
  }

  /** A hop without TLS and without a sign-in. */
  public static UpstreamHop plain(String name, String address) {
    return new UpstreamHop(name, address, null, null);
  }

  /** The same hop, signed in as {@code mailbox}. */
  public UpstreamHop signedInAs(String mailbox) {
    return new UpstreamHop(name, address, tls, mailbox);
  }

  /** {@code mx.example[192.0.2.1]}, with {@code as mailbox} when signed in: for log lines. */
  @Override
  public String toString() {
    return name + "[" + address + "]" + (login == null ? "" : " as " + login);
  }

  /**
   * The TLS session of a hop.
   *
   * @param protocol the protocol version negotiated, e.g. {@code TLSv1.3}
   * @param cipherSuite the cipher suite negotiated, e.g. {@code TLS_AES_256_GCM_SHA384}
   * @param verifiedName the name the server's certificate was verified against (TLS mode
   *     {@code verify}), or null when the certificate was accepted unverified (modes
   *     {@code opportunistic} and {@code required})
   */
  public record Tls(String protocol, String cipherSuite, String verifiedName) {

    public Tls {
      token(protocol, "protocol");
      token(cipherSuite, "cipherSuite");
      if (verifiedName != null) {
        token(verifiedName, "verifiedName");
      }
    }

    /** {@code TLSv1.3 TLS_AES_256_GCM_SHA384}: for log lines. */
    @Override
    public String toString() {
      return protocol + " " + cipherSuite;
    }
  }

  private static void token(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || !value.chars().allMatch(c -> c > 0x20 && c != 0x7f)) {
      throw new IllegalArgumentException(what + " is not one printable token: '" + value + "'");
    }
  }
}
