package relay.core.connector;

/** How an outbound connector uses STARTTLS towards its upstream. */
public enum TlsMode {
  /** Never STARTTLS. */
  NONE,
  /** STARTTLS when offered, without certificate checks; plain text otherwise. */
  OPPORTUNISTIC,
  /** STARTTLS must succeed and the certificate must chain to a trusted CA and match the host name; else nothing is sent. */
  REQUIRED
}
