package relay.server.main;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.config.model.ListenerConfig;
import relay.config.model.ListenerTls;
import relay.config.model.RelayConfig;
import relay.core.envelope.MailPath;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;

/**
 * {@code relay test-inbound --client IP --from A --to B}: what a device at that address meets, as
 * the configuration decides, without a connection: each listener and the inbound connector that
 * admits it (or {@code 554} and why), TLS and AUTH requirements, the sender's domain, then relay
 * rights, the mail-flow rules and each recipient's route, explained by {@code relay route}'s own
 * code ({@link RouteCommand#explain}). Exit codes: 0 the message would be accepted for every
 * recipient, 1 with warnings (some recipients refused, plaintext AUTH), 2 refused (or the
 * configuration is invalid). {@code --json} gives the same facts as one JSON object.
 */
@Command(name = "test-inbound", mixinStandardHelpOptions = true,
    description = "What a device at --client meets: listener, inbound connector (or 554), TLS, AUTH, sender and "
        + "relay rights, rules and route. Exit 0 accepted, 1 warnings, 2 refused.")
final class TestInboundCommand implements Callable<Integer> {

  @Option(names = "--client", required = true, paramLabel = "IP", description = "the device's address")
  private String client;

  @Option(names = "--helo", paramLabel = "NAME", defaultValue = "device", description = "the name it gives in EHLO")
  private String helo;

  @Option(names = "--from", required = true, paramLabel = "ADDRESS", description = "envelope sender; <> for a bounce")
  private String from;

  @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "a recipient (repeatable)")
  private List<String> to;

  @Option(names = "--tls", description = "the device uses STARTTLS")
  private boolean tls;

  @Option(names = "--user", paramLabel = "NAME", description = "the SMTP AUTH user it signs in as (password not checked)")
  private String user;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path config;

  @Option(names = "--json", description = "print the report as JSON")
  private boolean json;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  private int worst;
  // The report as it is built: text in the buffer; the same facts kept for --json.
  private final StringWriter buffer = new StringWriter();
  private final List<String> listeners = new ArrayList<>();
  private final List<ObjectNode> steps = new ArrayList<>();
  private List<String> route = List.of();
  private String inbound;

  @Override
  public Integer call() {
    PrintWriter out = new PrintWriter(buffer);
    PrintWriter err = spec.commandLine().getErr();
    RelayConfig relay;
    MailPath sender;
    List<MailPath> recipients = new ArrayList<>();
    InetAddress address;
    try {
      relay = ConfigLoader.loadForRouting(Optional.ofNullable(config), main.environment());
      sender = from.strip().equals("<>") ? MailPath.NULL : MailPath.parse(strip(from));
      for (String r : to) {
        recipients.add(MailPath.parse(strip(r)));
      }
      address = InetAddress.ofLiteral(client);
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("relay test-inbound: " + e.getMessage());
      return 2;
    }
    out.println("client " + client + " (EHLO " + helo + ")" + (tls ? " with STARTTLS" : "") + (user != null ? " as " + user : ""));
    ListenerConfig listener = null;
    InboundConnector via = null;
    for (ListenerConfig l : relay.listeners()) {
      Optional<InboundConnector> c = InboundConnector.select(l.inboundConnectors(), address);
      String where = "listener " + l.name() + " " + l.address().getHostAddress() + ":" + l.port() + " (" + encryption(l) + ")";
      if (c.isPresent()) {
        listeners.add(where + ": inbound connector " + c.get().name() + " admits the client");
        out.println(listeners.getLast());
        if (via == null) {
          listener = l;
          via = c.get();
        }
      } else {
        listeners.add(where + ": refuses the connection with " + Replies.CLIENT_NOT_ALLOWED
            + " (no inbound connector's client-networks contain " + client + ")");
        out.println(listeners.getLast());
      }
    }
    if (via == null) {
      return finish(out, 2, "add the device's address (or its network) to the client-networks of an inbound connector");
    }
    inbound = via.name();
    out.println("using listener " + listener.name() + ", inbound connector " + via.name());
    boolean implicit = listener.encryption().mode() == ListenerTls.Mode.IMPLICIT;
    boolean encrypted = implicit || (tls && listener.starttls());
    if (tls && listener.encryption().mode() == ListenerTls.Mode.NONE) {
      line(out, 1, "TLS", "the device wants STARTTLS but listener " + listener.name() + " offers no TLS: it continues in "
          + "clear or gives up, depending on the device");
    }
    if (via.requireTls() && !encrypted) {
      line(out, 2, "TLS", "MAIL FROM refused with " + Replies.TLS_REQUIRED + ": connector " + via.name()
          + " requires TLS" + (listener.encryption().mode() == ListenerTls.Mode.NONE
              ? ", and the listener offers none (configuration problem: enable STARTTLS on the listener)"
              : "; turn on STARTTLS on the device (--tls), or set require-tls = false on the connector"));
      return finish(out, 2, null);
    }
    line(out, 0, "TLS", encrypted ? "encrypted (" + listener.encryption().minVersion().protocolName() + " or newer)"
        : "in clear" + (via.requireTls() ? "" : " (the connector does not require TLS)"));
    boolean authenticated = false;
    if (user != null) {
      if (!via.auth().offeredOn(encrypted)) {
        line(out, 2, "AUTH", via.auth().users().isEmpty() ? "not offered: connector " + via.name() + " has no AUTH users"
            : "not offered without TLS: " + Replies.AUTH_NEEDS_TLS + " (use --tls, or allow-plaintext on the connector)");
      } else if (!via.auth().users().containsKey(user)) {
        line(out, 2, "AUTH", "user " + user + " is unknown to connector " + via.name() + ": " + Replies.AUTH_INVALID);
      } else {
        authenticated = true;
        line(out, encrypted ? 0 : 1, "AUTH", "user " + user + " may sign in" + (encrypted ? "" : " (password in clear!)")
            + (via.auth().grantsRelay() ? "; signed in, it may relay to any domain" : ""));
      }
    }
    if (via.auth().required() && !authenticated) {
      line(out, 2, "AUTH", "MAIL FROM refused with " + Replies.AUTH_REQUIRED + ": connector " + via.name()
          + " requires SMTP AUTH" + (user == null ? " (give --user)" : ""));
      return finish(out, 2, null);
    }
    if (!sender.isNull() && !via.allowsSenderDomain(sender.domain())) {
      line(out, 2, "MAIL FROM", sender + " refused with " + Replies.SENDER_DENIED + ": connector " + via.name()
          + " allows sender domains " + via.allowedSenderDomains().stream().map(d -> d.name()).sorted().toList());
      return finish(out, 2, null);
    }
    line(out, 0, "MAIL FROM", sender + " accepted");
    StringWriter routeText = new StringWriter();
    RouteCommand.Explained explained = RouteCommand.explain(new PrintWriter(routeText, true), relay, via, sender, recipients, address,
        authenticated ? Optional.of(user) : Optional.empty(),
        authenticated && via.auth().grantsRelay(), List.of(), null);
    out.print(routeText);
    route = routeText.toString().lines().toList();
    int status = explained.accepted() == 0 || explained.rejected() ? 2 : explained.refused() > 0 ? 1 : 0;
    return finish(out, status, status == 0 ? null
        : "a refused recipient needs relay rights: set relay = true or add its domain to the connector's recipient-domains "
            + "(or accepted-domains), or let the device sign in with AUTH that grants relaying");
  }

  private static final String[] VERDICTS = {"pass", "warn", "fail"};

  private void line(PrintWriter out, int status, String step, String text) {
    worst = Math.max(worst, status);
    steps.add(JsonNodeFactory.instance.objectNode().put("step", step).put("verdict", VERDICTS[status]).put("detail", text));
    out.println("[" + (status == 0 ? "PASS" : status == 1 ? "WARN" : "FAIL") + "] " + step + ": " + text);
  }

  private int finish(PrintWriter out, int status, String hint) {
    int result = Math.max(worst, status);
    if (hint != null && result > 0) {
      out.println("fix: " + hint);
    }
    out.println("result: " + (result == 0 ? "accepted" : result == 1 ? "accepted with warnings" : "REFUSED"));
    out.flush();
    PrintWriter real = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode().put("client", client);
      listeners.forEach(root.putArray("listeners")::add);
      root.put("inboundConnector", inbound);
      root.putArray("steps").addAll(steps);
      route.forEach(root.putArray("route")::add);
      if (hint != null && result > 0) {
        root.put("hint", hint);
      }
      root.put("verdict", VERDICTS[result]).put("exitStatus", result);
      real.println(root.toPrettyString());
    } else {
      real.print(buffer);
    }
    real.flush();
    return result;
  }

  private static String encryption(ListenerConfig l) {
    return switch (l.encryption().mode()) {
      case NONE -> "no TLS";
      case STARTTLS -> "STARTTLS, " + l.encryption().minVersion().protocolName() + "+";
      case IMPLICIT -> "implicit TLS, " + l.encryption().minVersion().protocolName() + "+";
    };
  }

  private static String strip(String address) {
    String s = address.strip();
    return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
  }
}
