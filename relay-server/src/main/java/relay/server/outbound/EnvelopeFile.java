package relay.server.outbound;

import java.util.StringJoiner;
import java.util.TreeSet;
import relay.core.delivery.DeliveryRequest;
import relay.core.envelope.BodyType;
import relay.core.envelope.Recipient;

/**
 * The readable envelope written beside each message in a drop folder: one {@code key: value} line
 * per fact, recipients one per line with their DSN parameters. Format version 1:
 *
 * <pre>
 * version: 1
 * id: ...
 * received: 2026-03-01T08:00:00Z
 * client-address / client-port / client-helo / client-tls / inbound-connector: ...
 * sender: &lt;a@b&gt;            (&lt;&gt; for the null sender)
 * body: 7BIT | 8BITMIME,  smtputf8: true|false,  ret: FULL|HDRS (if given),  envid: xtext (if given)
 * recipient: &lt;x@y&gt; [notify=SUCCESS,FAILURE] [orcpt=rfc822;x@y]
 * </pre>
 *
 * Stateless.
 */
final class EnvelopeFile {

  private EnvelopeFile() {}

  static String render(DeliveryRequest request) {
    StringBuilder out = new StringBuilder();
    line(out, "version", "1");
    line(out, "id", request.id().value());
    line(out, "received", request.receivedAt().toString());
    line(out, "client-address", request.client().address());
    line(out, "client-port", Integer.toString(request.client().port()));
    line(out, "client-helo", request.client().helo());
    line(out, "client-tls", Boolean.toString(request.client().tls()));
    line(out, "inbound-connector", request.client().inboundConnector());
    line(out, "sender", request.sender().toString());
    line(out, "body", request.parameters().body() == BodyType.EIGHT_BIT_MIME ? "8BITMIME" : "7BIT");
    line(out, "smtputf8", Boolean.toString(request.parameters().smtpUtf8()));
    if (request.parameters().dsnReturn() != null) {
      line(out, "ret", request.parameters().dsnReturn().name());
    }
    if (request.parameters().envelopeId() != null) {
      line(out, "envid", request.parameters().envelopeId());
    }
    for (Recipient r : request.recipients()) {
      line(out, "recipient", recipient(r));
    }
    return out.toString();
  }

  private static String recipient(Recipient r) {
    StringBuilder value = new StringBuilder(r.address().toString());
    if (!r.notifyOn().isEmpty()) {
      StringJoiner notify = new StringJoiner(",", " notify=", "");
      new TreeSet<>(r.notifyOn()).forEach(n -> notify.add(n.name()));
      value.append(notify);
    }
    if (r.originalRecipient() != null) {
      value.append(" orcpt=").append(r.originalRecipient());
    }
    return value.toString();
  }

  private static void line(StringBuilder out, String key, String value) {
    // Values come from the wire: a stray line break must not forge another field.
    out.append(key).append(": ").append(value.replaceAll("[\\r\\n]", "?")).append('\n');
  }
}
