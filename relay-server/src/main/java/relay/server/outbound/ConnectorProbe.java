package relay.server.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.envelope.MailPath;
import relay.server.outbound.oauth.AccessToken;
import relay.server.outbound.oauth.EntraErrors;
import relay.server.outbound.oauth.TokenException;
import relay.server.outbound.oauth.TokenSources;

/**
 * {@code relay test-connector}: tests one outbound connector as configured, step by step, the way
 * Microsoft's connectivity analyzers do: DNS, TCP connect to each host in turn, then one SMTP
 * conversation ({@link ProbeSession}) with the first host that answers. The pieces are the ones
 * deliveries use: {@link UpstreamTls} and {@link CertificateCheck} for TLS, {@link MxResolver}
 * and the MX destination's TLS policy for {@code mx}, {@link TokenSources} and the identity table
 * for {@code smtp-auth}, {@link GraphProbe} for {@code graph}. Nothing is sent unless asked to.
 *
 * <p>Call {@link #run} once per test; it blocks (DNS, connections, token request). Not thread-safe.
 */
public final class ConnectorProbe {

  private final OutboundConnector connector;
  private final InstantSource clock;
  private final MxResolver resolver;
  private final TokenSources tokens;

  /** One place to try: the name the certificate is checked against, the endpoint, the TLS policy. */
  record Target(String name, UpstreamHost endpoint, TlsPolicy tls) {}

  /** How to sign in (smtp-auth only); the secret goes on the wire and nowhere else. */
  record Login(String mailbox, String mechanism, relay.core.connector.Secret secret) {}

  /**
   * @param resolver the DNS answers for an {@code mx} connector (unused otherwise)
   * @param tokens the token sources for an {@code smtp-auth} connector with OAuth or a {@code graph}
   *     connector (unused otherwise)
   */
  public ConnectorProbe(OutboundConnector connector, InstantSource clock, MxResolver resolver, TokenSources tokens) {
    this.connector = connector;
    this.clock = clock;
    this.resolver = resolver;
    this.tokens = tokens;
  }

  /**
   * Runs the test.
   *
   * @param from the envelope sender (null: the first identity's mailbox for smtp-auth, else
   *     {@code postmaster@} the EHLO name)
   * @param to the recipient (null: the sender; required for mx, whose destination it decides)
   * @param send whether to send one small test message after RCPT TO instead of RSET
   */
  public ProbeReport run(MailPath from, MailPath to, boolean send) throws InterruptedException {
    List<ProbeStep> steps = new ArrayList<>();
    String type = switch (connector) {
      case OutboundConnector.Drop drop -> {
        steps.add(ProbeStep.pass("connector", "drop: messages are written to " + drop.directory()
            + "; there is no network path to test"));
        yield "drop";
      }
      case OutboundConnector.SmartHost s -> {
        MailPath sender = from != null ? from : MailPath.parse("postmaster@" + s.heloName());
        List<Target> targets = resolveHosts(s.hosts(), s.tls(), steps);
        if (!targets.isEmpty()) {
          session(s.heloName(), s.readTimeout(), null).run(connect(targets, s.connectTimeout(), steps),
              sender, to != null ? to : sender, send, steps);
        }
        yield "smart-host";
      }
      case OutboundConnector.Mx m -> {
        MailPath sender = from != null ? from : MailPath.parse("postmaster@" + m.heloName());
        List<Target> targets = to == null ? null : resolveMx(m, to, steps);
        if (to == null) {
          steps.add(ProbeStep.fail("DNS", "no recipient: an mx connector goes where the recipient's domain "
              + "points", "give --to ADDRESS"));
        } else if (!targets.isEmpty()) {
          session(m.heloName(), m.readTimeout(), null).run(connect(targets, m.connectTimeout(), steps),
              sender, to, send, steps);
        }
        yield "mx";
      }
      case OutboundConnector.SmtpAuth a -> {
        smtpAuth(a, from, to, send, steps);
        yield "smtp-auth";
      }
      case OutboundConnector.Graph g -> {
        try {
          new GraphProbe(g, clock, tokens).run(from, to, send, steps);
        } catch (IOException e) {
          steps.add(ProbeStep.fail("connector", "cannot trust the Graph endpoint: " + e.getMessage(),
              "check the connector's ca-file"));
        }
        yield "graph";
      }
    };
    return new ProbeReport(connector.name(), type, steps);
  }

  private void smtpAuth(OutboundConnector.SmtpAuth a, MailPath from, MailPath to, boolean send, List<ProbeStep> steps)
      throws InterruptedException {
    MailPath sender = from;
    if (sender == null && !a.identities().entries().isEmpty()) {
      sender = MailPath.parse(a.identities().entries().getFirst().mailbox());
    }
    Optional<SenderIdentity> identity = sender == null ? Optional.empty() : a.identities().forSender(sender);
    if (identity.isEmpty()) {
      steps.add(ProbeStep.fail("identity", "no identity maps " + (sender == null ? "the sender" : "<" + sender.address() + ">")
          + " to a mailbox: such mail is held", "add an identity for this sender (or a catch-all sender = \"*\")"));
      return;
    }
    SenderIdentity id = identity.get();
    steps.add(ProbeStep.pass("identity", "<" + sender.address() + "> is submitted as mailbox " + id.mailbox()
        + (id.rewriteTo() != null ? ", envelope sender rewritten to <" + id.rewriteTo() + ">" : "")));
    SubmissionCredential credential = id.credential() != null ? id.credential() : a.credential();
    Login login = switch (credential) {
      case SubmissionCredential.Password p -> {
        steps.add(ProbeStep.warn("credential", "mailbox password with " + p.mechanism() + " (Basic authentication)",
            "Microsoft is retiring Basic authentication for SMTP AUTH: switch to OAuth (XOAUTH2)"));
        yield new Login(id.mailbox(), p.mechanism().name(), p.password());
      }
      case SubmissionCredential.OAuth o -> token(o, id.mailbox(), steps);
    };
    if (login == null) {
      return;
    }
    List<Target> targets = resolveHosts(List.of(a.host()), SmtpAuthTransport.tlsPolicy(a), steps);
    if (targets.isEmpty()) {
      return;
    }
    MailPath envelope = id.rewriteTo() != null ? MailPath.parse(id.rewriteTo()) : sender;
    session(a.heloName(), a.readTimeout(), login).run(connect(targets, a.connectTimeout(), steps),
        envelope, to != null ? to : envelope, send, steps);
  }

  private Login token(SubmissionCredential.OAuth o, String mailbox, List<ProbeStep> steps) {
    String who = "tenant " + o.tenant() + ", client " + o.clientId();
    try {
      AccessToken token = tokens.forCredential(o).token();
      long minutes = token.remaining(clock.instant()).toMinutes();
      steps.add(ProbeStep.pass("token", "app-only token for " + who + " from " + o.authority()
          + ", valid for " + minutes + " minutes"));
      return new Login(mailbox, "XOAUTH2", token.value());
    } catch (TokenException e) {
      String hint = e.errorReply().flatMap(EntraErrors::explain).orElse(e.errorReply().isPresent()
          ? "check tenant, client-id and the credential against the app registration in Entra ID"
          : "check that this machine reaches " + o.authority() + " (proxy, firewall, DNS) and trusts its certificate");
      steps.add(ProbeStep.fail("token", "no token for " + who + ": " + e.getMessage(), hint));
    } catch (IOException e) {
      steps.add(ProbeStep.fail("token", "cannot read the credential's certificate or key: " + e.getMessage(),
          "check the certificate and key files of the credential"));
    }
    return null;
  }

  private ProbeSession session(String helo, Duration readTimeout, Login login) {
    return new ProbeSession(helo, readTimeout, login, clock);
  }

  /** DNS for configured hosts: each name's addresses (an address literal needs none). */
  private static List<Target> resolveHosts(List<UpstreamHost> hosts, TlsPolicy tls, List<ProbeStep> steps) {
    List<Target> targets = new ArrayList<>();
    List<String> found = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (UpstreamHost host : hosts) {
      try {
        InetAddress[] addresses = InetAddress.getAllByName(host.host());
        found.add(host.host() + " -> " + String.join(", ", Arrays.stream(addresses).map(InetAddress::getHostAddress).toList()));
        targets.add(new Target(host.host(), host, tls));
      } catch (UnknownHostException e) {
        failed.add(host.host() + ": not found");
      }
    }
    if (targets.isEmpty()) {
      steps.add(ProbeStep.fail("DNS", String.join("; ", failed), "check the host names and this machine's DNS resolvers"));
    } else if (!failed.isEmpty()) {
      steps.add(ProbeStep.warn("DNS", String.join("; ", found) + "; " + String.join("; ", failed),
          "remove or fix the host names that do not resolve"));
    } else {
      steps.add(ProbeStep.pass("DNS", String.join("; ", found)));
    }
    return targets;
  }

  /** DNS for an mx connector: the recipient domain's MX hosts and their addresses, as deliveries see them. */
  private List<Target> resolveMx(OutboundConnector.Mx m, MailPath to, List<ProbeStep> steps) throws InterruptedException {
    MxAnswer answer = resolver.resolve(to.domain());
    return switch (answer) {
      case MxAnswer.Hosts hosts -> {
        steps.add(ProbeStep.pass("DNS", "MX of " + to.domain() + ": "
            + String.join(", ", hosts.hosts().stream().map(MxHost::toString).toList())));
        yield hosts.hosts().stream().map(h -> new Target(h.name(), h.endpoint(), MxDestinations.tlsFor(m.tls(), h))).toList();
      }
      case MxAnswer.NullMx nullMx -> {
        steps.add(ProbeStep.fail("DNS", to.domain() + " publishes a null MX: it accepts no mail", "check --to"));
        yield List.of();
      }
      case MxAnswer.NoSuchDomain none -> {
        steps.add(ProbeStep.fail("DNS", none.reason(), "check the recipient's domain"));
        yield List.of();
      }
      case MxAnswer.LookupFailed failed -> {
        steps.add(ProbeStep.fail("DNS", failed.reason(), "check the connector's resolvers and that they answer"));
        yield List.of();
      }
    };
  }

  /** TCP to each target in turn until one answers; each failure is a step (a warning once one works). */
  private static ProbeSession.Connected connect(List<Target> targets, Duration timeout, List<ProbeStep> steps) {
    List<String> failures = new ArrayList<>();
    for (Target target : targets) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(target.endpoint().host(), target.endpoint().port()), (int) timeout.toMillis());
        for (String f : failures) {
          steps.add(ProbeStep.warn("connect", f, "the next host was used; check this host or remove it"));
        }
        steps.add(ProbeStep.pass("connect", target.endpoint() + " (" + socket.getInetAddress().getHostAddress() + ")"));
        return new ProbeSession.Connected(target, socket);
      } catch (IOException e) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to close
        }
        failures.add(target.endpoint() + ": " + UpstreamConnections.describe(e));
      }
    }
    steps.add(ProbeStep.fail("connect", String.join("; ", failures), "check that the host listens on this port and that "
        + "no firewall blocks outbound connections (many networks block port 25)"));
    return null;
  }
}
