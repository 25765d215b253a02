package relay.server.outbound.oauth;

/**
 * The JWS algorithm that signs a client assertion. Microsoft's older documentation asks for RS256,
 * the current one for PS256; Entra ID accepts both, so the choice is the operator's.
 */
public enum AssertionAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256. */
  RS256,
  /** RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 section 3.5). */
  PS256
}
