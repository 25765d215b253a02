package relay.core.connector;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Where accepted mail goes next. A closed set: every user switches over it exhaustively. */
public sealed interface OutboundConnector {

  String name();

  /**
   * Writes each message as {@code <id>.eml} plus its envelope beside it into a folder, like the
   * Drop folder of IIS SMTP. For testing, archiving and the embedded default.
   */
  record Drop(String name, Path directory) implements OutboundConnector {
    public Drop {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(directory, "directory");
    }
  }

  /**
   * Relays over SMTP to a list of hosts, tried in order.
   *
   * @param hosts upstream servers in order of preference (never empty)
   * @param tls STARTTLS mode, certificate checks, protocol versions and client certificate
   * @param heloName the name Relay gives in EHLO
   * @param connectTimeout TCP connect timeout
   * @param readTimeout timeout for each reply
   * @param maxConnections most simultaneous connections to this connector's hosts
   */
  record SmartHost(
      String name,
      List<UpstreamHost> hosts,
      TlsPolicy tls,
      String heloName,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConnections)
      implements OutboundConnector {
    public SmartHost {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(heloName, "heloName");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      hosts = List.copyOf(hosts);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("smart-host connector '" + name + "' has no hosts");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1");
      }
    }
  }

  /**
   * Submits to Microsoft 365 (or another submission server) as licensed mailboxes: STARTTLS always
   * required with certificate and host-name verification, TLS 1.2 or later, then SMTP AUTH with the
   * connector's (or the identity's) credential; each envelope sender is submitted as the mailbox its
   * {@link SenderIdentity} names, paced per mailbox.
   *
   * @param host the submission server, {@code smtp.office365.com:587} by default
   * @param caBundle PEM file of trusted CAs, or null for the system trust store
   * @param credential the default credential (XOAUTH2 tokens or a password)
   * @param identities sender to mailbox mapping; a sender no entry matches is held (configuration problem)
   * @param pacing per-mailbox limits
   */
  record SmtpAuth(
      String name,
      UpstreamHost host,
      Path caBundle,
      String heloName,
      Duration connectTimeout,
      Duration readTimeout,
      SubmissionCredential credential,
      SenderIdentities identities,
      Pacing pacing)
      implements OutboundConnector {
    /** Exchange Online's submission endpoint. */
    public static final UpstreamHost OFFICE_365 = new UpstreamHost("smtp.office365.com", 587);

    public SmtpAuth {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(heloName, "heloName");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(pacing, "pacing");
    }
  }

  /**
   * Sends through Microsoft Graph ({@code POST {graphUrl}/v1.0/users/{mailbox}/sendMail}, the MIME
   * message base64-encoded) where SMTP AUTH is switched off: each envelope sender is sent as the
   * mailbox its {@link SenderIdentity} names, with an app-only OAuth token (application permission
   * {@code Mail.Send}), paced per mailbox like {@link SmtpAuth}.
   *
   * @param graphUrl the Graph endpoint, {@code https://graph.microsoft.com} by default (https, no path)
   * @param caBundle PEM file of CAs trusted for the Graph endpoint, or null for the system trust store
   * @param credential the default credential (an app registration's client credentials)
   * @param identities sender to mailbox mapping; a sender no entry matches is held (configuration problem)
   * @param pacing per-mailbox limits; {@code maxSessions} is the requests at once per mailbox
   * @param httpsProxy the HTTP proxy that Graph and token requests go through with {@code CONNECT},
   *     or null to connect directly
   */
  record Graph(
      String name,
      URI graphUrl,
      Path caBundle,
      Duration connectTimeout,
      Duration readTimeout,
      SubmissionCredential.OAuth credential,
      SenderIdentities identities,
      Pacing pacing,
      UpstreamHost httpsProxy)
      implements OutboundConnector {
    /** Microsoft Graph's global endpoint. */
    public static final URI MICROSOFT_GRAPH = URI.create("https://graph.microsoft.com");
    /** The scope of an app-only Graph token. */
    public static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    /** Graph's limit on one {@code sendMail} request body. */
    public static final long MAX_REQUEST_BYTES = 4L * 1024 * 1024;
    /** The most MIME bytes one request can carry: base64 makes 3 bytes of MIME 4 bytes of request. */
    public static final long MAX_MIME_BYTES = MAX_REQUEST_BYTES / 4 * 3;
    /**
     * Room kept below {@link #MAX_MIME_BYTES} when a message is accepted over SMTP, for what Relay
     * adds before sending: its {@code Received:} header (a few hundred bytes) and the {@code Bcc:}
     * header for hidden recipients (about 40 bytes each for ordinary addresses, so 500 fit easily).
     */
    public static final long SMTP_HEADROOM = 64L * 1024;

    /**
     * The largest message accepted over SMTP for delivery through a graph connector: larger ones
     * are refused with {@code 552 5.3.4} at the end of DATA, while the client can still be told.
     */
    public static long maxAcceptedBytes() {
      return MAX_MIME_BYTES - SMTP_HEADROOM;
    }

    public Graph {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(graphUrl, "graphUrl");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(pacing, "pacing");
      if (!"https".equalsIgnoreCase(graphUrl.getScheme()) || graphUrl.getHost() == null) {
        throw new IllegalArgumentException("graphUrl must be an https URL: " + graphUrl);
      }
    }
  }

  /**
   * Delivers straight to each recipient domain's mail servers, found in DNS: MX records by
   * preference, else the domain's own addresses (RFC 5321 section 5.1). TLS is opportunistic by
   * default; under {@link TlsMode#VERIFY} without configured names the certificate must carry the
   * MX host's name.
   *
   * @param port the SMTP port of every destination (25; another only for tests and labs)
   * @param resolvers DNS servers to ask (IP and port), in order; empty for the system's resolvers
   * @param dnsTimeout how long one DNS query may take before the lookup counts as failed (transient)
   * @param maxConnections most simultaneous connections over all destinations
   * @param maxConnectionsPerDestination most simultaneous connections to one MX host
   */
  record Mx(
      String name,
      TlsPolicy tls,
      String heloName,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConnections,
      int maxConnectionsPerDestination,
      int port,
      List<UpstreamHost> resolvers,
      Duration dnsTimeout)
      implements OutboundConnector {
    public Mx {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(heloName, "heloName");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      Objects.requireNonNull(dnsTimeout, "dnsTimeout");
      resolvers = List.copyOf(resolvers);
      if (maxConnections < 1 || maxConnectionsPerDestination < 1) {
        throw new IllegalArgumentException("connection limits must be at least 1");
      }
      if (maxConnectionsPerDestination > maxConnections) {
        throw new IllegalArgumentException("maxConnectionsPerDestination exceeds maxConnections");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      if (dnsTimeout.isNegative() || dnsTimeout.isZero()) {
        throw new IllegalArgumentException("dnsTimeout must be positive");
      }
    }
  }
}
