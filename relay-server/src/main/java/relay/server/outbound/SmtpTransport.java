package relay.server.outbound;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsPolicy;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.Transport;
import relay.core.envelope.Recipient;
import relay.core.tracking.ProtocolLog;

/**
 * Delivers to a smart-host connector over SMTP: hosts in order, EHLO with the connector's name,
 * STARTTLS per its {@link relay.core.connector.TlsPolicy} (Angus Mail opens the session), the
 * spooled bytes sent unchanged, the envelope sender and recipients taken from the request (never
 * from headers), and one outcome per recipient from the upstream's own replies
 * ({@link UpstreamTransaction}), classified by {@link ReplyClassifier}. Every outcome reports the hop its connection reached (name, address,
 * TLS session); when no reply decides it, the {@link LocalCause} and the reason.
 *
 * <p>DSN parameters pass through when the upstream offers DSN: NOTIFY and ORCPT per recipient, RET
 * and ENVID; the commands go pipelined when the upstream offers PIPELINING.
 *
 * <p>A message whose request {@linkplain DeliveryRequest#requireTls() requires TLS} (the mail-flow
 * rule action {@code require-tls}) only goes over an encrypted session: under a connector policy of
 * {@code none} or {@code opportunistic} it takes a second pool of connections made with
 * {@link TlsPolicy#requiringEncryption()}; when STARTTLS is not offered or fails, nothing is sent and
 * every recipient gets a transient failure naming the reason, so the message waits in the queue.
 *
 * <p>Threading: safe for concurrent use; connections are pooled per connector and TLS policy (at
 * most {@code maxConnections} in all), and calls block, so run them on virtual threads.
 */
public final class SmtpTransport implements Transport {

  private static final String REQUIRE_TLS = "a mail-flow rule requires TLS for this message, not sent: ";

  private final OutboundConnector.SmartHost connector;
  private final ReplyClassifier classifier;
  private final UpstreamConnections connections;
  // The pool for messages that require TLS: the same as connections when the policy already insists.
  private final UpstreamConnections encrypted;
  // Ends stalled reads and writes on both pools' connections.
  private final StallWatch stallWatch;

  /**
   * @throws IOException when the connector's CA bundle or client certificate cannot be read
   */
  public SmtpTransport(OutboundConnector.SmartHost connector, ReplyClassifier classifier, ProtocolLog protocolLog)
      throws IOException {
    this(connector, null, classifier, protocolLog);
  }

  /**
   * A transport to hosts that are addresses of the server named {@code hostName} (an MX target),
   * which outcomes report as the upstream's name; null for each host's own configured name.
   *
   * @throws IOException when the connector's CA bundle or client certificate cannot be read
   */
  SmtpTransport(OutboundConnector.SmartHost connector, String hostName, ReplyClassifier classifier,
      ProtocolLog protocolLog) throws IOException {
    this.connector = connector;
    this.classifier = classifier;
    Semaphore permits = new Semaphore(connector.maxConnections());
    this.stallWatch = new StallWatch(connector.name(), connector.readTimeout());
    this.connections = new UpstreamConnections(
        connector, hostName, UpstreamTls.of(connector.tls(), InstantSource.system()), protocolLog, permits, stallWatch);
    TlsPolicy strict = connector.tls().requiringEncryption();
    this.encrypted = strict.equals(connector.tls())
        ? connections
        : new UpstreamConnections(connector, hostName, UpstreamTls.of(strict, InstantSource.system()), protocolLog,
            permits, stallWatch);
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException {
    try {
      return attempt(request);
    } catch (UpstreamUnreachableException e) {
      String reason = request.requireTls() ? REQUIRE_TLS + e.getMessage() : e.getMessage();
      AttemptReport report = new AttemptReport.Local(e.localCause(), reason);
      return request.recipients().stream().map(r -> classifier.outcome(r, report)).toList();
    }
  }

  /**
   * Like {@link #deliver}, but when no host could be used at all (nothing was sent) says so by
   * throwing, so that MX delivery can go on to the domain's next host.
   */
  List<RecipientOutcome> attempt(DeliveryRequest request) throws InterruptedException, UpstreamUnreachableException {
    UpstreamConnections pool = request.requireTls() ? encrypted : connections;
    // Empty only when a connection reused without a check had been closed by the upstream
    // meanwhile: nothing was answered, so nothing was accepted; once more on a checked or new one.
    Optional<List<RecipientOutcome>> outcomes = attemptOn(pool, pool.borrow(false), request);
    return outcomes.isPresent() ? outcomes.get() : attemptOn(pool, pool.borrow(true), request).orElseThrow();
  }

  private Optional<List<RecipientOutcome>> attemptOn(
      UpstreamConnections pool, UpstreamConnections.Lease lease, DeliveryRequest request) {
    UpstreamConnection connection = lease.connection();
    long repliesBefore = connection.transport().replies();
    Map<Recipient, RecipientOutcome> outcomes = new LinkedHashMap<>();
    boolean reusable = false;
    try {
      if (request.requireTls() && !connection.transport().isSSL()) {
        // The pool's policy makes this impossible; checked anyway because sending in clear text
        // would break the rule's promise for good, while holding the message back costs a retry.
        // The connection is closed (reusable stays false): it has no place in this pool.
        AttemptReport report = new AttemptReport.Local(
            LocalCause.TLS_UNAVAILABLE, REQUIRE_TLS + connection.host() + ": session not encrypted", connection.hop());
        return Optional.of(request.recipients().stream().map(r -> classifier.outcome(r, report)).toList());
      }
      UpstreamTransaction.Result result = send(connection, request);
      result.replies().forEach((r, reply) ->
          outcomes.put(r, classifier.outcome(r, new AttemptReport.Replied(reply, connection.hop()))));
      reusable = result.reusable();
    } catch (MessagingException | RuntimeException e) {
      if (lease.unchecked() && e instanceof MessagingException && connection.transport().replies() == repliesBefore) {
        return Optional.empty();
      }
      // The connection broke off (or, for a RuntimeException, our side failed) mid-conversation.
      AttemptReport report = new AttemptReport.Local(
          e instanceof MessagingException ? LocalCause.CONNECTION_LOST : LocalCause.LOCAL_ERROR,
          connection.host() + ": " + UpstreamConnections.describe(e), connection.hop());
      for (Recipient r : request.recipients()) {
        outcomes.putIfAbsent(r, classifier.outcome(r, report));
      }
    } finally {
      pool.giveBack(connection, reusable);
    }
    return Optional.of(request.recipients().stream().map(outcomes::get).toList());
  }

  @Override
  public void close() {
    connections.close();
    if (encrypted != connections) {
      encrypted.close();
    }
    stallWatch.close();
  }

  /** The connector this transport delivers to. */
  public OutboundConnector.SmartHost connector() {
    return connector;
  }

  private UpstreamTransaction.Result send(UpstreamConnection connection, DeliveryRequest request)
      throws MessagingException {
    TracedSmtpTransport transport = connection.transport();
    String sender = request.sender().isNull() ? "" : request.sender().address();
    transport.beginMessage(request.id(), request.recipients().size());
    return UpstreamTransaction.send(transport,
        UpstreamTransaction.Envelope.of(transport, request, sender, request.recipients(), true),
        new SpooledMessage(request.body()));
  }
}
