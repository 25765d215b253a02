package relay.server.main;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import relay.server.trace.TimeArgument;

/**
 * {@code relay drain}: tells the running relay (through its admin API, {@link AdminClient}) to stop
 * taking new mail while it keeps delivering its queue, and reports what stays queued; {@code --wait}
 * waits until nothing deliverable is left; {@code --undo} takes mail again; {@code --status} only
 * looks. Exit codes: 0 done, 1 the relay refused or could not be reached, 2 invalid arguments or
 * configuration, 3 {@code --wait} ran out with mail still to deliver. Blocking, single use.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
    description = {"Stop the running relay taking new mail, before patching it or handing its queue to another node.",
        "Listeners answer new connections with 421 4.3.2 (try another host) and open sessions at their next MAIL; "
            + "/readyz turns not ready, so a load balancer moves traffic away; deliveries in flight finish and the "
            + "queue keeps being delivered. The drained state is kept in the relay's home and survives a restart "
            + "until --undo.",
        "Then: relay drain --wait 30m; stop the relay; relay queue export (see docs/operations.md)."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:done", "1:the relay refused or could not be reached", "2:invalid arguments or configuration",
        "3:--wait ran out with mail still to deliver"})
final class DrainCommand implements java.util.concurrent.Callable<Integer> {

  private static final Duration POLL = Duration.ofSeconds(1);

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "the relay's configuration: where its admin endpoint and home are (default: the embedded default)")
  private Path config;

  @Option(names = "--url", paramLabel = "URL", description = "the admin endpoint, e.g. http://10.0.0.5:9025 (default: from the configuration)")
  private String url;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "a file holding an admin token (default: $" + AdminClient.TOKEN_VARIABLE + ", else the relay's local token)")
  private Path tokenFile;

  @Option(names = "--undo", description = "take new mail again")
  private boolean undo;

  @Option(names = "--status", description = "only show whether the relay is drained and what it still holds")
  private boolean status;

  @Option(names = "--wait", paramLabel = "TIME",
      description = "after draining, wait up to TIME (e.g. 90s, 30m, 2h) until nothing but held or suspended mail is queued")
  private String wait;

  @Option(names = "--json", description = "the final report as JSON")
  private boolean asJson;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main main;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    if ((undo ? 1 : 0) + (status ? 1 : 0) > 1 || wait != null && undo) {
      err.println("relay drain: --undo, --status and --wait do not go together (--status --wait is allowed)");
      return 2;
    }
    Optional<Duration> patience;
    try {
      Instant now = Instant.now();
      patience = Optional.ofNullable(wait).map(w -> Duration.between(TimeArgument.parse(w, now), now));
    } catch (IllegalArgumentException e) {
      err.println("relay drain: --wait: " + e.getMessage());
      return 2;
    }
    AdminClient client;
    switch (AdminClient.open("relay drain", Optional.ofNullable(config), Optional.ofNullable(url),
        Optional.ofNullable(tokenFile), main.environment(), err)) {
      case AdminClient.Opened.Failed failed -> {
        return failed.exit();
      }
      case AdminClient.Opened.Ready ready -> client = ready.client();
    }
    try {
      JsonNode report = status ? read(client.get("api/intake"))
          : read(client.post("api/intake/" + (undo ? "accept" : "drain")));
      if (patience.isPresent()) {
        long end = System.nanoTime() + patience.get().toNanos();
        while (!report.path("emptied").asBoolean() && System.nanoTime() < end) {
          Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
          report = read(client.get("api/intake"));
        }
      }
      out.print(asJson ? report.toString() + "\n" : text(report));
      out.flush();
      if (patience.isPresent() && !report.path("emptied").asBoolean()) {
        err.println("relay drain: waited " + wait + "; " + report.path("deliverable").asLong()
            + " message(s) still to deliver" + (report.path("recovering").asBoolean() ? ", and the spool is still being read" : ""));
        return 3;
      }
      return 0;
    } catch (IOException | IllegalStateException e) {
      err.println("relay drain: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** The report in words: the intake, then what each connector still holds. */
  static String text(JsonNode report) {
    StringBuilder out = new StringBuilder();
    if (report.path("accepting").asBoolean()) {
      out.append("accepting new mail\n");
    } else {
      out.append("drained since ").append(report.path("drainedSince").asText()).append(" by ")
          .append(report.path("drainedBy").asText()).append(": new mail gets 421 4.3.2, the queue is still delivered\n");
    }
    long deliverable = report.path("deliverable").asLong();
    long held = report.path("held").asLong();
    if (report.path("recovering").asBoolean()) {
      out.append("the spool is still being read after the start: more mail may be queued than counted below\n");
    }
    if (deliverable + held == 0 && !report.path("recovering").asBoolean()) {
      return out.append("queue empty\n").toString();
    }
    out.append("queued: ").append(deliverable).append(" to deliver, ").append(held)
        .append(" held or suspended (they stay until released)\n");
    out.append(String.format("  %-24s %8s %8s %8s%n", "CONNECTOR", "ACTIVE", "DEFERRED", "HELD"));
    for (JsonNode c : report.path("connectors")) {
      out.append(String.format("  %-24s %8d %8d %8d%n", c.path("connector").asText(), c.path("active").asLong(),
          c.path("deferred").asLong(), c.path("held").asLong()));
    }
    return out.toString();
  }

  private JsonNode read(HttpResponse<InputStream> response) throws IOException {
    JsonNode body;
    try (InputStream in = response.body()) {
      body = json.readTree(in);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(body.path("error").asText("HTTP " + response.statusCode()));
    }
    return body;
  }
}
