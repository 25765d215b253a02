package relay.server.outbound.oauth;

/**
 * How the relay proves its identity to the token endpoint: a client secret, or a certificate whose
 * private key signs a client assertion (the secure choice: it cannot be read off a wire and Microsoft
 * never stores the key).
 *
 * <p>A closed set; immutable; no implementation's {@code toString()} reveals the secret or the key.
 */
public sealed interface ClientCredential permits ClientSecret, ClientCertificate {}
