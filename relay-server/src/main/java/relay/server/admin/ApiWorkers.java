package relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the admin API's calls on a few platform threads instead of the request's virtual thread. A
 * call can be long CPU work (a message trace over gigabytes of logs, a listing of a large queue),
 * and virtual threads are not time-sliced: on a virtual thread it would hold one of the few carriers
 * that also run every spool commit and delivery, and SMTP clients would wait for their {@code 250}
 * while a help-desk search ran. The OS shares the processors between these threads and the carriers.
 *
 * <p>Bounded: at most {@code threads} calls run at once and {@code waiting} more wait their turn;
 * a call beyond that is answered at once with 503 and a {@code Retry-After}, so a flood of calls
 * adds neither threads nor an unbounded queue. Only the call runs here: the request is read and the
 * connection held by the server's virtual threads, so slow clients cost no platform thread.
 *
 * <p>Threading: {@link #handle} blocks its (virtual) caller until the call ended; {@link #close}
 * interrupts running calls.
 */
final class ApiWorkers implements HttpHandler, AutoCloseable {

  /** Calls at once by default: a few operators' traces side by side; the OS shares the processors out among them. */
  static final int THREADS = 4;
  /** Calls waiting by default, beyond which the API answers 503. */
  static final int WAITING = 32;

  private final HttpHandler api;
  private final ThreadPoolExecutor pool;

  /** {@code api} run by at most {@code threads} platform threads, with at most {@code waiting} calls queued. */
  ApiWorkers(HttpHandler api, int threads, int waiting) {
    this.api = api;
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(waiting),
        Thread.ofPlatform().name("admin-api-", 0).daemon(true).factory());
    pool.allowCoreThreadTimeOut(true); // an idle relay keeps no API threads
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    // The API reads no request body: whatever a client sends is drained here, on the virtual
    // thread, so a client that sends it slowly holds no platform thread.
    exchange.getRequestBody().close();
    Future<Void> call;
    try {
      call = pool.submit(() -> {
        api.handle(exchange);
        return null;
      });
    } catch (RejectedExecutionException e) {
      busy(exchange);
      return;
    }
    try {
      call.get();
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the admin API call ran");
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case IOException io -> throw io;
        case RuntimeException runtime -> throw runtime;
        case Error error -> throw error;
        default -> throw new IOException(e.getCause());
      }
    }
  }

  /** Calls waiting for a thread now. */
  int waiting() {
    return pool.getQueue().size();
  }

  private void busy(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = ("the admin API is busy (" + pool.getMaximumPoolSize() + " calls running, "
          + waiting() + " waiting); try again shortly\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set("Retry-After", "1");
      exchange.sendResponseHeaders(503, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
