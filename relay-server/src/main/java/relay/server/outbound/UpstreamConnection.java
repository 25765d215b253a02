package relay.server.outbound;

import relay.core.connector.UpstreamHost;
import relay.core.delivery.UpstreamHop;

/**
 * One connected SMTP client session to an upstream host and the hop it reached (what every outcome
 * on this connection reports; null only when the socket could not be told, which
 * {@link SocketCapture} prevents). Used by one thread at a time (it is borrowed from
 * {@link UpstreamConnections}).
 */
record UpstreamConnection(TracedSmtpTransport transport, UpstreamHost host, UpstreamHop hop) {}
