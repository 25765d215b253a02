package relay.core.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import relay.core.envelope.Domain;
import relay.core.session.SessionLimits;

/**
 * Who may use a listener and for what, like an Exchange receive connector: the first connector (in
 * the listener's order) whose client networks contain the client applies.
 *
 * @param name shown in logs, metrics and the Received header
 * @param clientNetworks the networks whose clients this connector admits (never empty)
 * @param requireTls MAIL is refused with {@code 530 5.7.0} until STARTTLS has been done
 * @param allowedSenderDomains envelope sender domains allowed; empty means any (the null sender is
 *     always allowed, it carries bounces)
 * @param relayToAnyDomain clients may send to any recipient domain; when false only to
 *     {@code recipientDomains}
 * @param recipientDomains recipient domains always allowed (exact names) even without relaying
 * @param bareLineEndings what to do with bare LF / bare CR in message content
 * @param limits per-session limits
 * @param auth SMTP AUTH users and rules ({@link InboundAuth#NONE}: no AUTH)
 */
public record InboundConnector(
    String name,
    List<ClientNetwork> clientNetworks,
    boolean requireTls,
    Set<Domain> allowedSenderDomains,
    boolean relayToAnyDomain,
    Set<Domain> recipientDomains,
    BareLineEndings bareLineEndings,
    SessionLimits limits,
    InboundAuth auth) {

  public InboundConnector {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(bareLineEndings, "bareLineEndings");
    Objects.requireNonNull(limits, "limits");
    clientNetworks = List.copyOf(clientNetworks);
    allowedSenderDomains = Set.copyOf(allowedSenderDomains);
    recipientDomains = Set.copyOf(recipientDomains);
    if (clientNetworks.isEmpty()) {
      throw new IllegalArgumentException("inbound connector '" + name + "' has no client networks");
    }
  }

  /** A connector without SMTP AUTH. */
  public InboundConnector(
      String name, List<ClientNetwork> clientNetworks, boolean requireTls, Set<Domain> allowedSenderDomains,
      boolean relayToAnyDomain, Set<Domain> recipientDomains, BareLineEndings bareLineEndings, SessionLimits limits) {
    this(name, clientNetworks, requireTls, allowedSenderDomains, relayToAnyDomain, recipientDomains, bareLineEndings,
        limits, InboundAuth.NONE);
  }

  /** True when the client address lies in one of this connector's networks. */
  public boolean admits(InetAddress client) {
    return clientNetworks.stream().anyMatch(n -> n.contains(client));
  }

  /** True when the envelope sender domain is allowed (null sender: always). */
  public boolean allowsSenderDomain(Domain domain) {
    return domain == null || allowedSenderDomains.isEmpty() || allowedSenderDomains.contains(domain);
  }

  /** True when a recipient in this domain may be accepted from this connector's clients. */
  public boolean allowsRecipientDomain(Domain domain) {
    return relayToAnyDomain || recipientDomains.contains(domain);
  }

  /** The first connector in {@code ordered} that admits the client; none: refuse with 554 5.7.1. */
  public static Optional<InboundConnector> select(List<InboundConnector> ordered, InetAddress client) {
    return ordered.stream().filter(c -> c.admits(client)).findFirst();
  }
}
