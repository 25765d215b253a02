package relay.server.main;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
import relay.config.model.RelayConfig;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.routing.header.HeaderSection;
import relay.core.routing.rule.EnvelopeFacts;
import relay.core.routing.rule.MessageFacts;
import relay.core.routing.rule.MessagePart;
import relay.core.routing.rule.MessagePlan;
import relay.core.routing.rule.RecipientVerdict;
import relay.core.routing.rule.RuleEngine;

/**
 * {@code relay route --from A --to B ...}: explains, without sending anything, what the configured
 * relay rights and mail-flow rules would do to such a message, rule by rule, and which connector
 * each recipient would leave through. Exit codes: 0 explained, 2 configuration invalid or the
 * arguments name something that does not exist.
 */
@Command(name = "route", mixinStandardHelpOptions = true,
    description = "Explain how a message would be routed: relay rights, each rule's decision, each recipient's connector.")
final class RouteCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "ADDRESS", description = "envelope sender; <> for a bounce")
  private String from;

  @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "a recipient (repeatable)")
  private List<String> to;

  @Option(names = "--header", paramLabel = "'Name: value'", description = "a header field, e.g. 'Subject: Invoice' (repeatable)")
  private List<String> headers = new ArrayList<>();

  @Option(names = "--client", paramLabel = "IP", defaultValue = "127.0.0.1", description = "client address (default: ${DEFAULT-VALUE})")
  private String client;

  @Option(names = "--connector", paramLabel = "NAME", description = "inbound connector (default: the one the client address selects)")
  private String connector;

  @Option(names = "--user", paramLabel = "NAME", description = "the SMTP AUTH identity, if the client authenticated")
  private String user;

  @Option(names = "--size", paramLabel = "BYTES", description = "message size (default: the size of the given header fields)")
  private Long size;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path config;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RelayConfig relay;
    try {
      relay = ConfigLoader.loadForRouting(Optional.ofNullable(config), main.environment());
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    MailPath sender;
    List<MailPath> recipients = new ArrayList<>();
    InetAddress address;
    try {
      sender = from.equals("<>") ? MailPath.NULL : MailPath.parse(strip(from));
      for (String r : to) {
        recipients.add(MailPath.parse(strip(r)));
      }
      address = InetAddress.ofLiteral(client);
    } catch (IllegalArgumentException e) {
      err.println("relay route: " + e.getMessage());
      return 2;
    }
    Optional<InboundConnector> inbound = inbound(relay, address);
    if (inbound.isEmpty()) {
      if (connector != null) {
        err.println("relay route: no inbound connector is named '" + connector + "'");
        return 2;
      }
      out.println("client " + client + " is admitted by no inbound connector: the connection is refused with "
          + Replies.CLIENT_NOT_ALLOWED);
      return 0;
    }
    InboundConnector via = inbound.get();
    out.println("client " + client + " -> inbound connector " + via.name());
    if (!sender.isNull() && !via.allowsSenderDomain(sender.domain())) {
      out.println("MAIL FROM " + sender + " refused: " + Replies.SENDER_DENIED);
      return 0;
    }
    explain(out, relay, via, sender, recipients, address, Optional.ofNullable(user), false, headers, size);
    return 0;
  }

  /** What {@link #explain} found: recipients refused at RCPT and accepted, and whether DATA would be rejected. */
  record Explained(int refused, int accepted, boolean rejected) {}

  /**
   * Explains, from RCPT TO on, what the relay decides for a message from {@code sender} through
   * {@code via}: relay rights per recipient (or {@code authorisedToRelay}, an authenticated client
   * whose connector grants relaying, as in a session), each envelope rule, then each message rule
   * and each recipient's connector. Shared by {@code relay route} and {@code relay test-inbound}.
   */
  static Explained explain(PrintWriter out, RelayConfig relay, InboundConnector via, MailPath sender,
      List<MailPath> recipients, InetAddress address, Optional<String> user, boolean authorisedToRelay,
      List<String> headers, Long size) {
    RuleEngine engine = relay.routing().ruleEngine();
    EnvelopeFacts envelope = new EnvelopeFacts(sender, List.of(), address, via.name(), user);
    List<Recipient> accepted = new ArrayList<>();
    int refused = 0;
    for (MailPath r : recipients) {
      if (!authorisedToRelay && !relay.routing().mayReceive(via, r.domain())) {
        out.println("RCPT TO " + r + " refused: " + Replies.RELAY_DENIED + " (outside the accepted domains and "
            + via.name() + " may not relay)");
        refused++;
        continue;
      }
      Recipient recipient = Recipient.of(r);
      // as in a session: envelope rules decide each RCPT against the recipients accepted so far
      if (engine.evaluateRecipient(envelope.withRecipients(accepted), recipient) instanceof RecipientVerdict.Refuse refuse) {
        out.println("RCPT TO " + r + " refused: " + refuse.reply() + " (" + refuse.reason() + ")");
        refused++;
        continue;
      }
      accepted.add(recipient);
    }
    if (accepted.isEmpty()) {
      out.println("no recipient accepted: nothing would be sent");
      return new Explained(refused, 0, false);
    }
    boolean rejected = explainMessage(out, engine, envelope.withRecipients(accepted), headers, size);
    return new Explained(refused, accepted.size(), rejected);
  }

  private static boolean explainMessage(PrintWriter out, RuleEngine engine, EnvelopeFacts envelope, List<String> headers,
      Long size) {
    StringBuilder text = new StringBuilder();
    headers.forEach(h -> text.append(h).append("\r\n"));
    byte[] header = text.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    long bytes = size != null ? size : header.length;
    MessagePlan plan = engine.evaluateMessage(new MessageFacts(envelope, HeaderSection.parse(header), bytes));
    out.println("rules:" + (engine.rules().isEmpty() ? " none" : ""));
    plan.trace().lines().forEach(l -> out.println("  " + l));
    if (plan.rejected()) {
      out.println("message rejected at the end of DATA: " + plan.rejection().orElseThrow());
      return true;
    }
    out.println("recipients:");
    plan.fates().forEach(f -> out.println("  " + f.describe()));
    List<MessagePart> parts = plan.parts();
    out.println(parts.size() == 1 ? "sent as one message:" : "split into " + parts.size() + " messages:");
    for (MessagePart part : parts) {
      out.println("  via " + part.connector() + " from " + part.sender() + " to "
          + part.recipients().stream().map(r -> r.address().toString()).toList()
          + (part.requireTls() ? ", TLS required" : "")
          + part.headerEdits().stream().map(e -> ", " + e.describe()).reduce("", String::concat));
    }
    return false;
  }

  /** The named inbound connector, or the first one (by listener, then connector order) admitting the client. */
  private Optional<InboundConnector> inbound(RelayConfig relay, InetAddress address) {
    List<InboundConnector> all = relay.listeners().stream()
        .map(ListenerConfig::inboundConnectors).flatMap(List::stream).toList();
    if (connector != null) {
      return all.stream().filter(c -> c.name().equals(connector)).findFirst();
    }
    for (ListenerConfig l : relay.listeners()) {
      Optional<InboundConnector> selected = InboundConnector.select(l.inboundConnectors(), address);
      if (selected.isPresent()) {
        return selected;
      }
    }
    return Optional.empty();
  }

  private static String strip(String address) {
    String s = address.strip();
    return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
  }
}
