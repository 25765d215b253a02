package relay.server.main;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code relay queue ...}: the running relay's queue, through its admin API ({@link AdminClient}):
 * list, summarise and show messages; retry, hold, release, delete or bounce them by id or by the
 * listing's filters; suspend, resume and retry connectors. Acting by filter on more than one
 * message asks first, unless {@code --yes}. Exit codes: 0 done, 1 the relay refused or could not be reached (the
 * reason is printed), 2 the configuration or the arguments are invalid. Messages named by id are
 * acted on without asking: asking is for filters, which may match more than meant.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "Look at and act on the running relay's queue (through its admin API); export and import a stopped relay's queue.",
    subcommands = {QueueExportCommand.class, QueueImportCommand.class},
    modelTransformer = QueueCommand.OfflineCommands.class)
final class QueueCommand {

  /** Most messages one action by filter takes on. */
  private static final int MOST_AT_ONCE = 100_000;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "the relay's configuration: where its admin endpoint and home are (default: the embedded default)")
  private Path config;

  @Option(names = "--url", paramLabel = "URL", scope = ScopeType.INHERIT,
      description = "the admin endpoint, e.g. http://10.0.0.5:9025 (default: from the configuration)")
  private String url;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "a file holding an admin token (default: $" + AdminClient.TOKEN_VARIABLE + ", else the relay's local token)")
  private Path tokenFile;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  private final ObjectMapper json = new ObjectMapper();

  /**
   * Export and import work on a stopped relay's spool, not through the admin API: the API's
   * options, inherited by every {@code queue} subcommand, are taken off theirs so that their help
   * does not offer them.
   */
  static final class OfflineCommands implements CommandLine.IModelTransformer {
    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec queue) {
      for (String offline : List.of("export", "import")) {
        CommandLine sub = queue.subcommands().get(offline);
        if (sub != null) {
          for (String option : List.of("--url", "--token-file")) {
            CommandLine.Model.OptionSpec spec = sub.getCommandSpec().findOption(option);
            if (spec != null) {
              sub.getCommandSpec().remove(spec);
            }
          }
        }
      }
      return queue;
    }
  }

  /** The configuration given with {@code --config}, if any (the export and import commands read it too). */
  Optional<Path> configFile() {
    return Optional.ofNullable(config);
  }

  /** The variables the configuration's substitutions and secret references read. */
  Map<String, String> environment() {
    return main.environment();
  }

  /** Which messages: the listing's filters. */
  static final class Filters {
    @Option(names = "--connector", paramLabel = "NAME", description = "outbound connector") String connector;
    @Option(names = "--state", paramLabel = "STATE", description = "active, deferred, held or suspended") String state;
    @Option(names = "--from", paramLabel = "TEXT", description = "part of the envelope sender") String sender;
    @Option(names = "--to", paramLabel = "TEXT", description = "part of a recipient") String recipient;
    @Option(names = "--older-than", paramLabel = "AGE", description = "e.g. 30m, 4h, 2d") String olderThan;
    @Option(names = "--reason", paramLabel = "TEXT", description = "part of a recipient's last reply or reason") String reason;

    boolean any() {
      return connector != null || state != null || sender != null || recipient != null || olderThan != null
          || reason != null;
    }

    String query(int limit) {
      StringBuilder q = new StringBuilder("limit=").append(limit);
      add(q, "connector", connector);
      add(q, "state", state);
      add(q, "sender", sender);
      add(q, "recipient", recipient);
      add(q, "min-age", olderThan);
      add(q, "reason", reason);
      return q.toString();
    }

    private static void add(StringBuilder q, String name, String value) {
      if (value != null) {
        q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Queued messages, oldest first.")
  int list(@Mixin Filters filters,
      @Option(names = "--limit", defaultValue = "1000", paramLabel = "N", description = "at most N (default: ${DEFAULT-VALUE})") int limit,
      @Option(names = "--json", description = "one JSON object per line") boolean asJson) {
    return run(client -> {
      PrintWriter out = out();
      if (!asJson) {
        out.printf("%-22s %-14s %-9s %6s %8s  %-30s %-34s %s%n", "ID", "CONNECTOR", "STATE", "AGE", "SIZE", "SENDER",
            "RECIPIENTS", "LAST REPLY");
      }
      int[] shown = {0};
      lines(client, "api/queue?" + filters.query(limit), line -> {
        shown[0]++;
        out.println(asJson ? line : QueueText.row(tree(line), Instant.now()));
      });
      if (!asJson) {
        out.println(shown[0] + " message(s)" + (shown[0] == limit ? " (limit reached: --limit for more)" : ""));
      }
    });
  }

  @Command(name = "summary", mixinStandardHelpOptions = true,
      description = {"Counts per connector and ages; --domains: recipients waiting per destination domain by age (like qshape).",
          "--cluster: every node's counts (asked through each node's admin API with the same token) and the totals."})
  int summary(@Option(names = "--json") boolean asJson,
      @Option(names = "--domains", description = "per destination domain: reads every queued message, so it takes longer") boolean domains,
      @Option(names = "--cluster", description = "every node of the cluster, and the cluster's totals") boolean cluster,
      @Mixin Filters filters) {
    return run(client -> {
      if (cluster) {
        JsonNode summary = object(client.get("api/cluster/queue/summary"));
        out().print(asJson ? summary.toString() + "\n" : QueueText.clusterSummary(summary));
        return;
      }
      if (domains) {
        DomainShape shape = new DomainShape(Instant.now());
        lines(client, "api/queue?" + filters.query(Integer.MAX_VALUE), line -> shape.add(tree(line)));
        out().print(asJson ? shape.json() + "\n" : shape.text());
        return;
      }
      JsonNode summary = object(client.get("api/queue/summary"));
      out().print(asJson ? summary.toString() + "\n" : QueueText.summary(summary));
    });
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One message: envelope, headers, each recipient's state.")
  int show(@Parameters(paramLabel = "ID") String id,
      @Option(names = "--body", description = "print the content as queued") boolean body,
      @Option(names = "--json") boolean asJson) {
    return run(client -> {
      if (body) {
        HttpResponse<InputStream> response = client.get("api/queue/" + id + "/content");
        if (response.statusCode() != 200) {
          throw refusal(response);
        }
        try (InputStream in = response.body()) {
          out().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return;
      }
      JsonNode message = object(client.get("api/queue/" + id));
      out().print(asJson ? message.toString() + "\n" : QueueText.detail(message));
    });
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Deliver now: messages by id or filter, every waiting message of a connector (--connector alone), or of all (--all).")
  int retry(@Parameters(arity = "0..*", paramLabel = "ID") List<String> ids, @Mixin Filters filters,
      @Option(names = "--all", description = "every waiting message of every connector") boolean all,
      @Option(names = "--yes", description = "do not ask") boolean yes) {
    if (all || (ids == null || ids.isEmpty()) && filters.connector != null && !filtersBeyondConnector(filters)) {
      return run(client -> {
        List<String> connectors = new ArrayList<>();
        if (all) {
          object(client.get("api/connectors")).forEach(c -> connectors.add(c.get("name").asText()));
        } else {
          connectors.add(filters.connector);
        }
        for (String c : connectors) {
          connectorAction(client, c, "retry");
        }
      });
    }
    return act("retry", ids, filters, yes);
  }

  @Command(name = "hold", mixinStandardHelpOptions = true, description = "Keep messages back until released.")
  int hold(@Parameters(arity = "0..*", paramLabel = "ID") List<String> ids, @Mixin Filters filters,
      @Option(names = "--yes", description = "do not ask") boolean yes) {
    return act("hold", ids, filters, yes);
  }

  @Command(name = "release", mixinStandardHelpOptions = true, description = "Put held or suspended messages back into delivery.")
  int release(@Parameters(arity = "0..*", paramLabel = "ID") List<String> ids, @Mixin Filters filters,
      @Option(names = "--yes", description = "do not ask") boolean yes) {
    return act("release", ids, filters, yes);
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove messages without telling anyone.")
  int delete(@Parameters(arity = "0..*", paramLabel = "ID") List<String> ids, @Mixin Filters filters,
      @Option(names = "--yes", description = "do not ask") boolean yes) {
    return act("delete", ids, filters, yes);
  }

  @Command(name = "bounce", mixinStandardHelpOptions = true, description = "Remove messages and send their senders a failure notice.")
  int bounce(@Parameters(arity = "0..*", paramLabel = "ID") List<String> ids, @Mixin Filters filters,
      @Option(names = "--yes", description = "do not ask") boolean yes) {
    return act("bounce", ids, filters, yes);
  }

  @Command(name = "connectors", mixinStandardHelpOptions = true, description = "Every connector's state.")
  int connectors(@Option(names = "--json") boolean asJson) {
    return run(client -> {
      JsonNode connectors = object(client.get("api/connectors"));
      out().print(asJson ? connectors.toString() + "\n" : QueueText.connectors(connectors));
    });
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Stop delivering through a connector; mail keeps queueing.")
  int suspend(@Parameters(paramLabel = "CONNECTOR") String connector) {
    return run(client -> connectorAction(client, connector, "suspend"));
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Deliver through a suspended connector again.")
  int resume(@Parameters(paramLabel = "CONNECTOR") String connector) {
    return run(client -> connectorAction(client, connector, "resume"));
  }

  private static boolean filtersBeyondConnector(Filters f) {
    return f.state != null || f.sender != null || f.recipient != null || f.olderThan != null || f.reason != null;
  }

  /** One action on messages named by id, or by filters (asking first when more than one). */
  private int act(String action, List<String> ids, Filters filters, boolean yes) {
    boolean byId = ids != null && !ids.isEmpty();
    if (byId == filters.any()) {
      spec.commandLine().getErr().println("relay queue " + action + ": give message ids, or filters (--connector, "
          + "--state, --from, --to, --older-than, --reason), not both and not neither");
      return 2;
    }
    return run(client -> {
      List<String> targets = new ArrayList<>();
      if (byId) {
        targets.addAll(ids);
      } else {
        lines(client, "api/queue?" + filters.query(MOST_AT_ONCE), line -> targets.add(tree(line).get("id").asText()));
      }
      if (targets.isEmpty()) {
        out().println("no message matches");
        return;
      }
      if (!byId && targets.size() > 1 && !yes && !confirm(action + " " + targets.size() + " messages?")) {
        throw new IllegalStateException("nothing done: " + targets.size() + " messages match; confirm, or add --yes");
      }
      int done = 0;
      for (String id : targets) {
        HttpResponse<InputStream> response = client.post("api/queue/" + id + "/" + action);
        JsonNode outcome = object(response, false);
        out().println(id + ": " + (outcome.has("detail") ? outcome.get("detail").asText() : outcome.path("error").asText()));
        if (response.statusCode() == 200) {
          done++;
        } else if (response.statusCode() == 401 || response.statusCode() == 403) {
          throw new IllegalStateException(outcome.path("error").asText());
        }
      }
      if (done < targets.size()) {
        throw new IllegalStateException(done + " of " + targets.size() + " done");
      }
    });
  }

  private void connectorAction(AdminClient client, String connector, String action) throws IOException {
    HttpResponse<InputStream> response =
        client.post("api/connectors/" + URLEncoder.encode(connector, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action);
    JsonNode outcome = object(response, false);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(outcome.has("detail") ? outcome.get("detail").asText() : outcome.path("error").asText());
    }
    out().println(connector + ": " + outcome.get("detail").asText());
  }

  private boolean confirm(String question) {
    if (System.console() == null) {
      return false; // no one to ask
    }
    out().print(question + " [y/N] ");
    out().flush();
    String answer = System.console().readLine();
    return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
  }

  private interface Call {
    void run(AdminClient client) throws IOException;
  }

  private int run(Call call) {
    PrintWriter err = spec.commandLine().getErr();
    AdminClient client;
    switch (AdminClient.open("relay queue", Optional.ofNullable(config), Optional.ofNullable(url),
        Optional.ofNullable(tokenFile), main.environment(), err)) {
      case AdminClient.Opened.Failed failed -> {
        return failed.exit();
      }
      case AdminClient.Opened.Ready ready -> client = ready.client();
    }
    try {
      call.run(client);
      out().flush();
      return 0;
    } catch (IOException | IllegalStateException e) {
      out().flush();
      err.println("relay queue: " + e.getMessage());
      return 1;
    }
  }

  private void lines(AdminClient client, String path, Consumer<String> each) throws IOException {
    HttpResponse<InputStream> response = client.get(path);
    if (response.statusCode() != 200) {
      throw refusal(response);
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.isBlank()) {
          each.accept(line);
        }
      }
    }
  }

  private JsonNode object(HttpResponse<InputStream> response) throws IOException {
    return object(response, true);
  }

  private JsonNode object(HttpResponse<InputStream> response, boolean only200) throws IOException {
    if (only200 && response.statusCode() != 200) {
      throw refusal(response);
    }
    try (InputStream in = response.body()) {
      return json.readTree(in);
    }
  }

  private IllegalStateException refusal(HttpResponse<InputStream> response) throws IOException {
    String message;
    try (InputStream in = response.body()) {
      message = json.readTree(in).path("error").asText("HTTP " + response.statusCode());
    } catch (IOException e) {
      message = "HTTP " + response.statusCode();
    }
    return new IllegalStateException(message);
  }

  private JsonNode tree(String line) {
    try {
      return json.readTree(line);
    } catch (IOException e) {
      throw new IllegalStateException("the relay sent a line that is not JSON: " + line);
    }
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
