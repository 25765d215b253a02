package relay.server.outbound;

import relay.core.envelope.Domain;

/**
 * Finds where a recipient domain's mail goes (RFC 5321 section 5.1): its MX records ordered by
 * preference, each target's A and AAAA addresses, the domain's own addresses when it has no MX, a
 * null MX as "accepts no mail", a domain that does not exist as a permanent answer, and a failed
 * lookup as a transient one.
 *
 * <p>The port {@link MxTransport} resolves through, so that tests answer from a fake and the real
 * one ({@link DnsMxResolver}) can ask configured servers. Implementations are safe for concurrent
 * use and may block (they are called on virtual threads).
 */
public interface MxResolver {

  /** Never throws for DNS problems: they are {@link MxAnswer.NoSuchDomain} or {@link MxAnswer.LookupFailed}. */
  MxAnswer resolve(Domain domain) throws InterruptedException;
}
