package relay.server.outbound;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.envelope.Domain;
import relay.core.envelope.Recipient;
import relay.core.tracking.ProtocolLog;

/**
 * Delivers an MX connector's mail: the request's recipients are grouped by domain, each domain is
 * resolved through the {@link MxResolver}, and each group is sent in turn, one connection at a time,
 * to its domain's hosts in order through the smart-host machinery ({@link SmtpTransport}), going on
 * to the next host only when a host could not be used at all (nothing was sent). Once a host has
 * taken part in a transaction, its replies decide the outcomes.
 *
 * <p>What DNS says becomes an outcome through {@link ReplyClassifier} like any local cause: a null
 * MX ({@link LocalCause#NULL_MX}, status 5.1.10) and a domain that does not exist
 * ({@link LocalCause#NO_SUCH_DOMAIN}, 5.1.2) are permanent; a failed lookup
 * ({@link LocalCause#DNS_FAILED}, 4.4.3) is transient. Outcomes from a host name the MX target
 * as the upstream, not the address connected to.
 *
 * <p>It never gates: how many attempts run at once over the connector ({@code maxConnections}) and
 * per recipient domain ({@code maxConnectionsPerDestination}) is the scheduler's ready lanes' to
 * decide (see {@code relay.core.schedule.LaneRule}); one attempt here uses one connection at a time.
 *
 * <p>Threading: safe for concurrent use. Calls block: run them on virtual threads.
 */
public final class MxTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(MxTransport.class);

  private final OutboundConnector.Mx connector;
  private final MxResolver resolver;
  private final ReplyClassifier classifier;
  private final MxDestinations destinations;

  /**
   * @throws IOException when the connector's CA bundle or client certificate cannot be read (checked
   *     now so that the mistake shows at start-up, not at the first delivery)
   */
  public MxTransport(OutboundConnector.Mx connector, MxResolver resolver, ReplyClassifier classifier, ProtocolLog protocolLog)
      throws IOException {
    UpstreamTls.of(connector.tls(), InstantSource.system());
    this.connector = connector;
    this.resolver = resolver;
    this.classifier = classifier;
    this.destinations = new MxDestinations(connector, classifier, protocolLog, connector.maxConnections());
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException {
    Map<Domain, List<Recipient>> byDomain = new LinkedHashMap<>();
    for (Recipient r : request.recipients()) {
      byDomain.computeIfAbsent(r.address().domain(), d -> new ArrayList<>()).add(r);
    }
    Map<Recipient, RecipientOutcome> outcomes = new HashMap<>();
    for (Map.Entry<Domain, List<Recipient>> group : byDomain.entrySet()) {
      deliverTo(group.getKey(), group.getValue(), request).forEach(o -> outcomes.put(o.recipient(), o));
    }
    return request.recipients().stream().map(outcomes::get).toList();
  }

  /** The connector this transport delivers for. */
  public OutboundConnector.Mx connector() {
    return connector;
  }

  @Override
  public void close() {
    destinations.close();
  }

  private List<RecipientOutcome> deliverTo(Domain domain, List<Recipient> recipients, DeliveryRequest request)
      throws InterruptedException {
    return switch (resolver.resolve(domain)) {
      case MxAnswer.Hosts hosts -> viaHosts(hosts.hosts(), withRecipients(request, recipients));
      case MxAnswer.NullMx nullMx -> all(recipients, LocalCause.NULL_MX, domain + " accepts no mail (null MX)");
      case MxAnswer.NoSuchDomain none -> all(recipients, LocalCause.NO_SUCH_DOMAIN, none.reason());
      case MxAnswer.LookupFailed failed -> all(recipients, LocalCause.DNS_FAILED, failed.reason());
    };
  }

  private List<RecipientOutcome> viaHosts(List<MxHost> hosts, DeliveryRequest request) throws InterruptedException {
    List<String> reasons = new ArrayList<>();
    LocalCause last = LocalCause.CONNECTION_FAILED;
    for (MxHost host : hosts) {
        SmtpTransport transport;
      try {
        transport = destinations.acquire(host);
      } catch (IOException e) {
        reasons.add(host + ": " + UpstreamConnections.describe(e));
        last = LocalCause.LOCAL_ERROR;
        continue;
      }
      try {
        return transport.attempt(request);
      } catch (UpstreamUnreachableException e) {
        log.info("connector '{}': MX host {} not usable, trying the next: {}", connector.name(), host, e.getMessage());
        reasons.add(host.name() + " " + e.getMessage());
        last = e.localCause();
      } finally {
        destinations.release(host);
      }
    }
    return all(request.recipients(), last, "no MX host usable: " + String.join("; ", reasons));
  }

  private List<RecipientOutcome> all(List<Recipient> recipients, LocalCause cause, String reason) {
    AttemptReport report = new AttemptReport.Local(cause, reason);
    return recipients.stream().map(r -> classifier.outcome(r, report)).toList();
  }

  private static DeliveryRequest withRecipients(DeliveryRequest request, List<Recipient> recipients) {
    return new DeliveryRequest(request.id(), request.sender(), request.parameters(), recipients, request.body(),
        request.client(), request.receivedAt(), request.requireTls());
  }
}
