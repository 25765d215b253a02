package relay.server.outbound;

import jakarta.mail.Session;
import relay.core.connector.UpstreamHost;

/**
 * One connected SMTP client session to an upstream host, with the mail session it was opened from.
 * Used by one thread at a time (it is borrowed from {@link UpstreamConnections}).
 */
record UpstreamConnection(TracedSmtpTransport transport, Session session, UpstreamHost host) {}
