package relay.server.outbound;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.envelope.MailPath;
import relay.core.reply.SmtpReply;
import relay.server.outbound.oauth.Xoauth2;

/**
 * The SMTP conversation of {@link ConnectorProbe} with one connected host, one step per command:
 * banner, EHLO, STARTTLS and the TLS steps ({@link ProbeTls}), EHLO again, AUTH (smtp-auth), MAIL
 * FROM, RCPT TO, then RSET, or with {@code send} one small message (Subject "Relay connector test"),
 * and QUIT. The first failure ends the conversation (with QUIT when the connection still stands).
 * Secrets go on the wire only; steps name the mailbox and mechanism. Not thread-safe.
 */
final class ProbeSession {

  static final String SUBJECT = "Relay connector test";

  /** A TCP connection to a target. */
  record Connected(ConnectorProbe.Target target, Socket socket) {}

  private final String helo;
  private final Duration readTimeout;
  private final ConnectorProbe.Login login;
  private final InstantSource clock;

  ProbeSession(String helo, Duration readTimeout, ConnectorProbe.Login login, InstantSource clock) {
    this.helo = helo;
    this.readTimeout = readTimeout;
    this.login = login;
    this.clock = clock;
  }

  /** Runs the conversation on {@code connected} (nothing when null: connecting failed already). */
  void run(Connected connected, MailPath from, MailPath to, boolean send, List<ProbeStep> steps) {
    if (connected == null) {
      return;
    }
    String step = "banner";
    try (ProbeConversation c = new ProbeConversation(connected.socket())) {
      connected.socket().setSoTimeout((int) readTimeout.toMillis());
      SmtpReply banner = c.read();
      if (!expect(steps, "banner", banner, 220, "greeted")) {
        c.command("QUIT");
        return;
      }
      step = "EHLO";
      SmtpReply ehlo = c.command("EHLO " + helo);
      if (!expectEhlo(steps, "EHLO", ehlo)) {
        c.command("QUIT");
        return;
      }
      step = "STARTTLS";
      Boolean tls = startTls(c, connected.target(), ehlo, steps);
      if (tls == null) {
        return;
      }
      if (tls) {
        step = "EHLO (TLS)";
        SSLSession session = ((SSLSocket) c.socket()).getSession();
        TlsPolicy policy = connected.target().tls();
        try {
          ehlo = c.command("EHLO " + helo);
        } catch (IOException e) {
          ProbeStep client = ProbeTls.clientCertificate(session, policy, false);
          steps.add(client != null ? client.withReply(UpstreamConnections.describe(e))
              : ProbeStep.fail("EHLO (TLS)", "the upstream ended the session after TLS: " + UpstreamConnections.describe(e),
                  "if it asks for a client certificate, configure client-certificate on the connector"));
          return;
        }
        ProbeStep client = ProbeTls.clientCertificate(session, policy, ehlo.code() == 250);
        if (client != null) {
          steps.add(client);
        }
        if (!expectEhlo(steps, "EHLO (TLS)", ehlo)) {
          c.command("QUIT");
          return;
        }
      }
      step = "AUTH";
      if (login != null && !authenticate(c, ehlo, steps)) {
        c.command("QUIT");
        return;
      }
      step = "MAIL FROM";
      if (!expect(steps, "MAIL FROM", c.command("MAIL FROM:<" + (from.isNull() ? "" : from.address()) + ">"), 250,
          "<" + from.address() + "> accepted")) {
        c.command("QUIT");
        return;
      }
      step = "RCPT TO";
      SmtpReply rcpt = c.command("RCPT TO:<" + to.address() + ">");
      boolean accepted = expect(steps, "RCPT TO", rcpt, rcpt.code() == 251 ? 251 : 250, "<" + to.address() + "> accepted");
      if (send && accepted) {
        step = "DATA";
        SmtpReply data = c.command("DATA");
        if (expect(steps, "DATA", data, 354, "ready for the message") ) {
          step = "message";
          expect(steps, "message", c.data(message(from, to)), 250, "test message sent (Subject \"" + SUBJECT + "\")");
        }
      } else {
        step = "RSET";
        expect(steps, "RSET", c.command("RSET"), 250, "transaction reset: nothing was sent"
            + (send ? "" : " (use --send to send a test message)"));
      }
      step = "QUIT";
      SmtpReply quit = c.command("QUIT");
      steps.add(quit.code() == 221 ? ProbeStep.pass("QUIT", "closed").withReply(quit)
          : ProbeStep.warn("QUIT", "unexpected reply", null).withReply(quit));
    } catch (IOException e) {
      steps.add(ProbeStep.fail(step, "connection failed: " + UpstreamConnections.describe(e),
          "the upstream dropped the connection or stopped answering within read-timeout"));
    }
  }

  /**
   * STARTTLS as the policy wants it: true when TLS is now on, false when the conversation goes on
   * in clear, null when it ended (a step says why).
   */
  private Boolean startTls(ProbeConversation c, ConnectorProbe.Target target, SmtpReply ehlo, List<ProbeStep> steps)
      throws IOException {
    TlsPolicy policy = target.tls();
    boolean offered = ProbeConversation.extensions(ehlo).stream()
        .anyMatch(e -> e.toUpperCase(Locale.ROOT).equals("STARTTLS"));
    String mode = policy.mode().name().toLowerCase(Locale.ROOT);
    if (policy.mode() == TlsMode.NONE) {
      steps.add(ProbeStep.warn("STARTTLS", "not used (tls = none)" + (offered ? " although offered" : "")
          + ": mail crosses the network in clear", "set tls = opportunistic, or verify for a known upstream"));
      return false;
    }
    if (!offered) {
      if (policy.mode() == TlsMode.OPPORTUNISTIC) {
        steps.add(ProbeStep.warn("STARTTLS", "not offered by " + target.endpoint() + ": mail goes in clear (tls = "
            + mode + ")", "ask the upstream's operator to enable STARTTLS"));
        return false;
      }
      steps.add(ProbeStep.fail("STARTTLS", "not offered by " + target.endpoint() + ": nothing is sent (tls = " + mode + ")",
          "enable STARTTLS on the upstream, or (only on a trusted network) set tls = opportunistic"));
      c.command("QUIT");
      return null;
    }
    SmtpReply reply = c.command("STARTTLS");
    if (reply.code() != 220) {
      steps.add(ProbeStep.fail("STARTTLS", "refused", ProbeHints.forReply(reply).orElse(null)).withReply(reply));
      c.command("QUIT");
      return null;
    }
    UpstreamTls tls;
    try {
      tls = UpstreamTls.of(policy, clock);
    } catch (IOException e) {
      steps.add(ProbeStep.fail("STARTTLS", e.getMessage(), "check ca-file and client-certificate"));
      return null;
    }
    SSLSocket ssl;
    try {
      ssl = c.startTls(tls, target.endpoint());
    } catch (IOException e) {
      steps.add(ProbeStep.pass("STARTTLS", "offered and accepted").withReply(reply));
      steps.add(new ProbeTls(clock).handshakeFailed(e, policy, target.name()));
      return null;
    }
    steps.add(ProbeStep.pass("STARTTLS", "offered and accepted").withReply(reply));
    steps.addAll(new ProbeTls(clock).session(ssl.getSession(), policy, target.name()));
    return true;
  }

  private boolean authenticate(ProbeConversation c, SmtpReply ehlo, List<ProbeStep> steps) throws IOException {
    String mechanism = login.mechanism();
    boolean offered = ProbeConversation.extensions(ehlo).stream().map(e -> e.toUpperCase(Locale.ROOT))
        .anyMatch(e -> e.startsWith("AUTH") && List.of(e.substring(4).strip().split("[ =]+")).contains(mechanism));
    if (!offered) {
      steps.add(ProbeStep.fail("AUTH", mechanism + " is not offered by the upstream", "check the connector's host: "
          + "Microsoft 365 offers AUTH XOAUTH2 on smtp.office365.com:587 after STARTTLS"));
      return false;
    }
    String secret = login.secret().reveal();
    SmtpReply reply = switch (mechanism) {
      case "XOAUTH2" -> {
        SmtpReply r = c.command("AUTH XOAUTH2 " + Xoauth2.initialResponse(login.mailbox(), login.secret()));
        // a 334 carries a JSON error; an empty line ends the exchange with the final reply
        yield r.code() == 334 ? c.command("") : r;
      }
      case "PLAIN" -> c.command("AUTH PLAIN " + base64("\0" + login.mailbox() + "\0" + secret));
      default -> {
        SmtpReply r = c.command("AUTH LOGIN");
        if (r.code() == 334) {
          r = c.command(base64(login.mailbox()));
        }
        yield r.code() == 334 ? c.command(base64(secret)) : r;
      }
    };
    return expect(steps, "AUTH", reply, 235, "signed in as " + login.mailbox() + " with " + mechanism);
  }

  /** Like {@link #expect} for an EHLO reply: passing, it shows the extensions (not the reply again). */
  private static boolean expectEhlo(List<ProbeStep> steps, String name, SmtpReply ehlo) {
    if (ehlo.code() == 250) {
      steps.add(ProbeStep.pass(name, "extensions: " + String.join(", ", ProbeConversation.extensions(ehlo))));
      return true;
    }
    return expect(steps, name, ehlo, 250, "");
  }

  /** Adds a pass step when {@code reply} has {@code code}, else a failure with a hint; true on pass. */
  private static boolean expect(List<ProbeStep> steps, String name, SmtpReply reply, int code, String passed) {
    if (reply.code() == code) {
      steps.add(ProbeStep.pass(name, passed).withReply(reply));
      return true;
    }
    steps.add(ProbeStep.fail(name, "refused", ProbeHints.forReply(reply).orElse(null)).withReply(reply));
    return false;
  }

  private String message(MailPath from, MailPath to) {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().atOffset(ZoneOffset.UTC));
    return "From: <" + from.address() + ">\r\n"
        + "To: <" + to.address() + ">\r\n"
        + "Subject: " + SUBJECT + "\r\n"
        + "Date: " + date + "\r\n"
        + "Message-ID: <" + UUID.randomUUID() + "@" + helo + ">\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=UTF-8\r\n"
        + "\r\n"
        + "This message was sent by relay test-connector to check the outbound connector.\r\n";
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
