package relay.server.main;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.envelope.MailPath;
import relay.server.outbound.ConnectorProbe;
import relay.server.outbound.DnsMxResolver;
import relay.server.outbound.MxResolver;
import relay.server.outbound.ProbeReport;
import relay.server.outbound.oauth.RefreshPolicy;
import relay.server.outbound.oauth.TokenListener;
import relay.server.outbound.oauth.TokenSources;

/**
 * {@code relay test-connector NAME}: tests an outbound connector as configured, step by step (DNS,
 * connect, banner, EHLO, STARTTLS, certificate, token, AUTH, MAIL FROM, RCPT TO, then RSET or with
 * {@code --send} one test message; for {@code graph}: identity, token, the token's Mail.Send role and
 * a dry sendMail request that cannot send), and prints each step's verdict, the reply seen and a fix hint
 * ({@link ConnectorProbe}). Exit codes: 0 every step passed, 1 warnings, 2 a step failed, the
 * configuration is invalid or no connector has that name.
 */
@Command(name = "test-connector", mixinStandardHelpOptions = true,
    description = "Test an outbound connector step by step (DNS, TCP, TLS, certificate, token, AUTH, MAIL, RCPT; "
        + "graph: token, Mail.Send role, a dry request); nothing is sent unless --send. Exit 0 pass, 1 warnings, 2 failure.")
final class TestConnectorCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME", description = "the outbound connector to test")
  private String name;

  @Option(names = "--from", paramLabel = "ADDRESS",
      description = "envelope sender (smtp-auth, graph: picks the identity's mailbox; default: the first identity's mailbox)")
  private String from;

  @Option(names = "--to", paramLabel = "ADDRESS", description = "recipient for RCPT TO (default: the sender; required for mx)")
  private String to;

  @Option(names = "--send", description = "send one small test message (Subject \"Relay connector test\") instead of RSET")
  private boolean send;

  @Option(names = "--json", description = "print the report as JSON")
  private boolean json;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path config;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RelayConfig relay;
    try {
      relay = ConfigLoader.load(Optional.ofNullable(config), main.environment());
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    Optional<OutboundConnector> connector = relay.outboundConnector(name);
    if (connector.isEmpty()) {
      err.println("relay test-connector: no outbound connector is named '" + name + "'");
      return 2;
    }
    MailPath sender;
    MailPath recipient;
    try {
      sender = from == null ? null : from.strip().equals("<>") ? MailPath.NULL : MailPath.parse(strip(from));
      recipient = to == null ? null : MailPath.parse(strip(to));
    } catch (IllegalArgumentException e) {
      err.println("relay test-connector: " + e.getMessage());
      return 2;
    }
    if (sender != null && sender.isNull() && recipient == null) {
      err.println("relay test-connector: with --from '<>' give --to");
      return 2;
    }
    InstantSource clock = InstantSource.system();
    MxResolver resolver = null;
    TokenSources tokens = null;
    try {
      switch (connector.get()) {
        case OutboundConnector.Mx mx -> resolver = new DnsMxResolver(mx.resolvers(), mx.dnsTimeout(), mx.port(), new SecureRandom());
        case OutboundConnector.SmtpAuth auth -> tokens = new TokenSources(OutboundLanes.tokenClient(auth, clock), clock,
            RefreshPolicy.DEFAULT, TokenListener.NONE);
        case OutboundConnector.SmartHost ignored -> { }
        case OutboundConnector.Graph graph -> tokens = new TokenSources(OutboundLanes.tokenClient(graph, clock), clock,
            RefreshPolicy.DEFAULT, TokenListener.NONE);
        case OutboundConnector.Drop ignored -> { }
      }
    } catch (IOException e) {
      err.println("relay test-connector: cannot set up connector '" + name + "': " + e.getMessage());
      return 2;
    }
    ProbeReport report = new ConnectorProbe(connector.get(), clock, resolver, tokens).run(sender, recipient, send);
    out.print(json ? report.json() + "\n" : report.text());
    out.flush();
    return report.exitStatus();
  }

  private static String strip(String address) {
    String s = address.strip();
    return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
  }
}
