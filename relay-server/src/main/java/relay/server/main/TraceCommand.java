package relay.server.main;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import relay.config.load.ConfigLoader;
import relay.config.load.InvalidConfigException;
import relay.server.trace.SearchStats;
import relay.server.trace.TimeArgument;
import relay.server.trace.TraceQuery;
import relay.server.trace.TrackingSearch;

/**
 * {@code relay trace}: what happened to a message, from the tracking log files (the live one and the
 * rolled, compressed ones), read directly: works while the relay is stopped, needs read access to
 * the logging directory. With filters it lists matching events as a table (or JSON lines); with an
 * ID (queue id, Message-ID or session id) it prints that message's whole timeline. A thin layer over
 * {@link TrackingSearch}. Exit codes: 0 found, 1 nothing found, 2 invalid arguments, configuration
 * or unreadable directory.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Find messages in the tracking log: by sender, recipient, Message-ID, queue id, client, subject, "
        + "status and time (default: the last 48 hours).",
        "With an ID (queue id, Message-ID or session id): that message's whole timeline.",
        "Reads the log files directly: works while the relay is down; needs read access to the logging directory."},
    footer = {"", "Examples:", "  relay trace --from scanner@contoso.com --since 2h",
        "  relay trace --to @fabrikam.com --status deferred,failed --since 1d",
        "  relay trace 01M8YKJC3Z0000EJYGTKSK",
        "  relay trace '<scan-0042@printer.contoso.com>' --json"})
final class TraceCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "ID", description = "a queue id, Message-ID or session id: print its timeline")
  private String id;

  @Option(names = "--from", paramLabel = "ADDRESS", description = "envelope sender (whole address, or part of one: @contoso.com)")
  private String from;

  @Option(names = "--to", paramLabel = "ADDRESS", description = "recipient (whole address, or part of one)")
  private String to;

  @Option(names = "--message-id", paramLabel = "ID", description = "the Message-ID header field")
  private String messageId;

  @Option(names = {"--id", "--queue-id"}, paramLabel = "QUEUE_ID", description = "queue id (250 2.0.0 Ok queued as ...)")
  private String queueId;

  @Option(names = "--client", paramLabel = "IP", description = "client address")
  private String client;

  @Option(names = "--subject", paramLabel = "TEXT", description = "part of the subject (case-insensitive)")
  private String subject;

  @Option(names = "--user", paramLabel = "NAME", description = "SMTP AUTH user")
  private String user;

  @Option(names = "--status", split = ",", paramLabel = "STATUS",
      description = "received, routed, discarded, rejected, delivered, deferred, failed, held, expired, dsn (comma-separated)")
  private List<String> statuses = new ArrayList<>();

  @Option(names = "--since", paramLabel = "WHEN", description = "from (default: 48h ago; for an ID: when it was queued): "
      + "2h, 3d, 1w, 2026-03-01, 2026-03-01T08:00, 2026-03-01T08:00:00Z")
  private String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "until (default: now); same forms")
  private String until;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "" + TraceQuery.DEFAULT_LIMIT,
      description = "most events listed (default: ${DEFAULT-VALUE})")
  private int limit;

  @Option(names = "--json", description = "one JSON object per line (the tracking lines as written)")
  private boolean json;

  @Option(names = "--stats", description = "say on stderr how much was read and how long it took")
  private boolean stats;

  @Option(names = "--log-dir", paramLabel = "DIR", description = "the logging directory (default: relay.logging.directory of the configuration)")
  private Path logDir;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON configuration file (default: the embedded default)")
  private Path config;

  @Option(names = "--cluster", description = "ask the running relay, which asks every node of its cluster "
      + "(through the admin APIs, with the same token); the node of each event is shown")
  private boolean cluster;

  @Option(names = "--url", paramLabel = "URL", description = "with --cluster: the admin endpoint (default: from the configuration)")
  private String url;

  @Option(names = "--token-file", paramLabel = "FILE", description = "with --cluster: a file holding an admin token "
      + "(default: $" + AdminClient.TOKEN_VARIABLE + ", else the relay's local token)")
  private Path tokenFile;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  private final InstantSource clock;

  TraceCommand() {
    this(InstantSource.system());
  }

  TraceCommand(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (cluster) {
      return cluster(out, err);
    }
    Path directory;
    try {
      directory = logDir != null ? logDir
          : ConfigLoader.loadForRouting(Optional.ofNullable(config), main.environment()).logging().directory();
    } catch (InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (!Files.isDirectory(directory) || !Files.isReadable(directory)) {
      err.println("relay trace: cannot read the logging directory " + directory
          + (Files.isDirectory(directory) ? " (no permission)" : " (not there)"));
      return 2;
    }
    TrackingSearch search = new TrackingSearch(directory);
    try {
      Instant now = clock.instant();
      Instant end = until == null ? now : TimeArgument.parse(until, now);
      return id != null ? timeline(search, out, err, now, end) : search(search, out, err, now, end);
    } catch (IllegalArgumentException e) {
      err.println("relay trace: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("relay trace: reading " + directory + " failed: " + e);
      return 2;
    } finally {
      out.flush();
    }
  }

  private int search(TrackingSearch search, PrintWriter out, PrintWriter err, Instant now, Instant end) throws IOException {
    Instant start = since == null ? now.minus(TraceQuery.DEFAULT_WINDOW) : TimeArgument.parse(since, now);
    TraceQuery query = TraceQuery.window(start, end).withSender(from).withRecipient(to).withMessageId(messageId)
        .withQueueId(queueId).withClient(client).withSubject(subject).withUser(user).withStatuses(Set.copyOf(statuses))
        .withLimit(limit);
    if (!json) {
      TraceText.header(out);
    }
    SearchStats done = search.search(query, e -> {
      if (json) {
        out.println(e.line());
      } else {
        TraceText.row(out, e);
      }
    });
    report(err, done);
    if (done.limited()) {
      err.println("relay trace: stopped after " + limit + " events (--limit); narrow the search or raise the limit");
    }
    return done.matched() > 0 ? 0 : 1;
  }

  private int timeline(TrackingSearch search, PrintWriter out, PrintWriter err, Instant now, Instant end) throws IOException {
    // A queue id tells when the message was queued: its story starts then (less the session before it).
    Instant start = since != null ? TimeArgument.parse(since, now)
        : TrackingSearch.queuedAt(id).map(t -> t.minus(Duration.ofMinutes(10))).orElse(now.minus(TraceQuery.DEFAULT_WINDOW));
    TrackingSearch.Timeline found = search.timeline(id, start, end);
    found.events().forEach(e -> {
      if (json) {
        out.println(e.line());
      } else {
        TraceText.timeline(out, e);
      }
    });
    report(err, found.stats());
    if (found.events().isEmpty()) {
      err.println("relay trace: nothing about " + id + " between " + start + " and " + end
          + (since == null ? " (use --since to look further back)" : ""));
      return 1;
    }
    return 0;
  }

  private int cluster(PrintWriter out, PrintWriter err) {
    AdminClient admin;
    switch (AdminClient.open("relay trace", Optional.ofNullable(config), Optional.ofNullable(url),
        Optional.ofNullable(tokenFile), main.environment(), err)) {
      case AdminClient.Opened.Failed failed -> {
        return 2; // as for an unreadable log directory: 1 means "nothing found"
      }
      case AdminClient.Opened.Ready ready -> admin = ready.client();
    }
    try {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("since", since);
      query.put("until", until);
      if (id == null) {
        query.put("sender", from);
        query.put("recipient", to);
        query.put("message-id", messageId);
        query.put("id", queueId);
        query.put("client", client);
        query.put("subject", subject);
        query.put("user", user);
        query.put("status", String.join(",", statuses));
        query.put("limit", Integer.toString(limit));
      }
      int shown = new ClusterTrace(admin).run(id, ClusterTrace.query(query), json, id != null, out, err);
      if (shown == 0) {
        err.println("relay trace: nothing found on any node that answered");
      }
      return shown > 0 ? 0 : 1;
    } catch (IllegalStateException | IOException e) {
      err.println("relay trace: " + e.getMessage());
      return 2;
    } finally {
      out.flush();
    }
  }

  private void report(PrintWriter err, SearchStats done) {
    if (stats) {
      err.println("relay trace: " + done);
    }
  }
}
