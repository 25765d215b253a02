package relay.server.trace;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import relay.core.envelope.MessageId;
import relay.core.spool.FileSpool;

/**
 * Searches the message-tracking log ({@code tracking.log} and its rolled, compressed files in the
 * logging directory) straight from the files, so it works while the relay is stopped and needs
 * nothing but read access to the directory. {@code relay trace} is a thin layer over it; the admin
 * API can call it too.
 *
 * <p>How it stays fast on large logs: only files whose day can overlap the window are opened
 * ({@link LogSources}); compressed files are streamed through gzip, never loaded whole; each raw line
 * is first tested for a search term as bytes ({@link EventFilter}, {@link Needle}) and only the
 * lines that pass are parsed with Jackson; events are handed out as they are found.
 *
 * <p>Thread-safe: every call works on its own state; calls may run at the same time. Blocking
 * file I/O: not for an event loop.
 */
public final class TrackingSearch {

  /** The log's name: {@code tracking.log}, {@code tracking.DAY[.N].log.gz}. */
  public static final String LOG = "tracking";

  private final LogSources sources;

  /** A search over the tracking log in {@code directory} (the configuration's {@code relay.logging.directory}). */
  public TrackingSearch(Path directory) {
    this.sources = new LogSources(directory, LOG);
  }

  /**
   * Hands every event that {@code query} selects to {@code out}, oldest file first and in each file
   * in the order written (about the order of time), until {@code query.limit()} events.
   */
  public SearchStats search(TraceQuery query, Consumer<TracedEvent> out) throws IOException {
    long start = System.nanoTime();
    EventFilter filter = new EventFilter(query);
    LogScan scan = new LogScan();
    long[] matched = {0};
    boolean complete = scan.run(sources.between(query.since(), query.until()), 0, Integer.MAX_VALUE,
        filter::mayMatch, (event, source) -> {
          if (!filter.accept(event)) {
            return true;
          }
          out.accept(event);
          return ++matched[0] < query.limit();
        });
    return scan.stats(matched[0], !complete, start);
  }

  /**
   * The whole story of one message, in time order: {@code id} is a queue id, a Message-ID (angle
   * brackets optional) or an inbound session id (a {@code Received:} header's {@code id}). See
   * {@link Timeline} for what it holds.
   */
  public Timeline timeline(String id, Instant since, Instant until) throws IOException {
    return new TimelineSearch(sources, id, since, until).run();
  }

  /**
   * When a queue id was made, as the id tells (Relay's ids begin with their time); empty for
   * anything else. A timeline need not look further back than this.
   */
  public static Optional<Instant> queuedAt(String id) {
    try {
      return FileSpool.queuedAt(new MessageId(id.strip()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * One message's events, oldest first.
   *
   * @param events the events found (at most {@link TimelineSearch#MAX_EVENTS})
   * @param stats what the search did (both passes)
   */
  public record Timeline(List<TracedEvent> events, SearchStats stats) {
    public Timeline {
      events = List.copyOf(events);
    }
  }
}
