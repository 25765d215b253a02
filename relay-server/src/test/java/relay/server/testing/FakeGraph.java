package relay.server.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for Microsoft Graph's {@code POST /v1.0/users/{id}/sendMail} in MIME form, over real
 * HTTPS on loopback: checks the bearer token with the {@link FakeTokenEndpoint} (issued, unexpired,
 * for Graph's scope), the app's {@code Mail.Send} permission, the mailbox, Send As for the
 * {@code From:} address, the 4 MB request limit and the base64 body; throttles a mailbox past
 * {@code perWindow} messages per {@code window} (or past 4 requests at once) with 429 and
 * {@code Retry-After}; answers errors in Microsoft's shape {@code {"error":{"code","message"}}}.
 *
 * <p>Thread-safe.
 */
public final class FakeGraph implements AutoCloseable {

  public static final String SCOPE = "https://graph.microsoft.com/.default";
  public static final int MAX_REQUEST = 4 * 1024 * 1024;
  private static final Pattern PATH = Pattern.compile("/v1\\.0/users/([^/]+)/sendMail");

  /** One message Graph accepted: the mailbox it was sent as, the app, and the decoded MIME. */
  public record Sent(String mailbox, String clientId, byte[] mime, Instant at) {}

  /** A canned answer for the next request. */
  public record Answer(int status, String code, String message, String retryAfter) {}

  public final List<Sent> sent = new CopyOnWriteArrayList<>();
  /** Requests over the per-mailbox limits (rate or concurrency), which Relay's pacing should prevent. */
  public final AtomicInteger throttled = new AtomicInteger();
  public final AtomicInteger overConcurrency = new AtomicInteger();
  public final AtomicInteger mostAtOnce = new AtomicInteger();
  public final AtomicInteger requests = new AtomicInteger();
  /** The most recipients (To, Cc and Bcc) one accepted request named: Graph's cap is 500 by default. */
  public final AtomicInteger mostRecipients = new AtomicInteger();

  private final FakeTokenEndpoint tokens;
  private final InstantSource clock;
  private final int perWindow;
  private final Duration window;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Set<String> mailSend = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<String>> sendAs = new ConcurrentHashMap<>();
  private final Set<String> invalid = ConcurrentHashMap.newKeySet();
  private final Map<String, Deque<Instant>> recent = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> atOnce = new ConcurrentHashMap<>();
  /** Each request being answered, with its mailbox's count of requests being answered. */
  private final Map<HttpExchange, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Deque<Answer> canned = new ConcurrentLinkedDeque<>();

  public FakeGraph(SSLContext tls, FakeTokenEndpoint tokens, InstantSource clock, int perWindow, Duration window)
      throws IOException {
    this.tokens = tokens;
    this.clock = clock;
    this.perWindow = perWindow;
    this.window = window;
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Grants the app the {@code Mail.Send} application permission (with admin consent). */
  public void grantMailSend(String clientId) {
    mailSend.add(clientId);
    tokens.grantRole(clientId, "Mail.Send");
  }

  /** A mailbox, which may send as itself and as {@code alsoSendsAs}. */
  public void mailbox(String mailbox, String... alsoSendsAs) {
    Set<String> as = ConcurrentHashMap.newKeySet();
    as.add(mailbox.toLowerCase(Locale.ROOT));
    for (String a : alsoSendsAs) {
      as.add(a.toLowerCase(Locale.ROOT));
    }
    sendAs.put(mailbox.toLowerCase(Locale.ROOT), as);
  }

  /** An address Graph refuses as a recipient (400 ErrorInvalidRecipients). */
  public void invalidRecipient(String address) {
    invalid.add(address.toLowerCase(Locale.ROOT));
  }

  /** Answers the next request with this instead of looking at it. */
  public void answerNext(int status, String code, String message, String retryAfter) {
    canned.add(new Answer(status, code, message, retryAfter));
  }

  public URI url() {
    return URI.create("https://localhost:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      Matcher m = PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
        error(exchange, 400, "BadRequest", "Unsupported request.", null);
        return;
      }
      String mailbox = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
      AtomicInteger now = atOnce.computeIfAbsent(mailbox, k -> new AtomicInteger());
      int concurrent = now.incrementAndGet();
      inFlight.put(exchange, now);
      mostAtOnce.accumulateAndGet(concurrent, Math::max);
      try {
        Thread.sleep(20); // a little latency, so that concurrent requests overlap
        answer(exchange, mailbox, concurrent);
      } finally {
        leave(exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void answer(HttpExchange exchange, String mailbox, int concurrent) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_REQUEST + 1);
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
    String client = tokens.clientOf(token, SCOPE).orElse(null);
    if (client == null) {
      error(exchange, 401, "InvalidAuthenticationToken", "Access token is empty, expired or not for this resource.", null);
      return;
    }
    Answer next = canned.poll();
    if (next != null) {
      error(exchange, next.status(), next.code(), next.message(), next.retryAfter());
      return;
    }
    if (!mailSend.contains(client)) {
      error(exchange, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.", null);
      return;
    }
    if (!sendAs.containsKey(mailbox)) {
      error(exchange, 404, "ErrorInvalidUser", "The requested user '" + mailbox + "' is invalid.", null);
      return;
    }
    if (concurrent > 4) {
      overConcurrency.incrementAndGet();
      error(exchange, 429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "1");
      return;
    }
    if (!rateAllows(mailbox)) {
      throttled.incrementAndGet();
      error(exchange, 429, "ApplicationThrottled", "Application is over its rate limit for this mailbox.", "1");
      return;
    }
    if (body.length > MAX_REQUEST) {
      error(exchange, 413, "RequestEntityTooLarge", "The request is larger than 4 MB.", null);
      return;
    }
    if (!"text/plain".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
      error(exchange, 400, "ErrorInvalidRequest", "MIME content must be sent as text/plain.", null);
      return;
    }
    byte[] mime;
    InternetHeaders headers;
    try {
      // Strict, as Graph is: anything but base64 (line breaks aside) is refused before it is read as MIME.
      mime = Base64.getDecoder().decode(new String(body, StandardCharsets.US_ASCII).replaceAll("[\r\n]", ""));
      headers = new InternetHeaders(new ByteArrayInputStream(mime));
    } catch (IllegalArgumentException | jakarta.mail.MessagingException e) {
      error(exchange, 400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.", null);
      return;
    }
    String from = first(headers, "From");
    if (from == null || !sendAs.get(mailbox).contains(from)) {
      error(exchange, 403, "ErrorSendAsDenied",
          "The user account which was used to submit this request does not have the right to send mail on behalf "
              + "of the specified sending account.", null);
      return;
    }
    List<String> refused = new ArrayList<>();
    int named = 0;
    for (String name : List.of("To", "Cc", "Bcc")) {
      for (String a : all(headers, name)) {
        named++;
        if (invalid.contains(a)) {
          refused.add(a);
        }
      }
    }
    if (named > 500) {
      error(exchange, 400, "ErrorTooManyRecipients", "The message has too many recipients.", null);
      return;
    }
    if (!refused.isEmpty()) {
      error(exchange, 400, "ErrorInvalidRecipients", "At least one recipient isn't valid: " + String.join(", ", refused),
          null);
      return;
    }
    mostRecipients.accumulateAndGet(named, Math::max);
    sent.add(new Sent(mailbox, client, mime, clock.instant()));
    sendStatus(exchange, 202, -1);
  }

  /**
   * Ends the request's turn in its mailbox's count before the status goes out: a client that has
   * read the answer may send its next request at once, and that one must not be counted as overlapping.
   */
  private void sendStatus(HttpExchange exchange, int status, long length) throws IOException {
    leave(exchange);
    exchange.sendResponseHeaders(status, length);
  }

  private void leave(HttpExchange exchange) {
    AtomicInteger count = inFlight.remove(exchange);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  private synchronized boolean rateAllows(String mailbox) {
    Deque<Instant> times = recent.computeIfAbsent(mailbox, k -> new ArrayDeque<>());
    Instant now = clock.instant();
    while (!times.isEmpty() && !times.peekFirst().isAfter(now.minus(window))) {
      times.removeFirst();
    }
    if (times.size() >= perWindow) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  private static String first(InternetHeaders headers, String name) {
    List<String> all = all(headers, name);
    return all.isEmpty() ? null : all.getFirst();
  }

  private static List<String> all(InternetHeaders headers, String name) {
    List<String> out = new ArrayList<>();
    String[] values = headers.getHeader(name);
    if (values == null) {
      return out;
    }
    for (String v : values) {
      try {
        for (InternetAddress a : InternetAddress.parseHeader(v, false)) {
          InternetAddress[] members = a.isGroup() ? a.getGroup(false) : new InternetAddress[] {a};
          for (InternetAddress m : members == null ? new InternetAddress[0] : members) {
            out.add(m.getAddress().toLowerCase(Locale.ROOT));
          }
        }
      } catch (jakarta.mail.internet.AddressException e) {
        // an unreadable header names nobody here
      }
    }
    return out;
  }

  private void error(HttpExchange exchange, int status, String code, String message, String retryAfter)
      throws IOException {
    var error = JsonNodeFactory.instance.objectNode();
    error.putObject("error").put("code", code).put("message", message);
    byte[] body = error.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfter != null) {
      exchange.getResponseHeaders().set("Retry-After", retryAfter);
    }
    sendStatus(exchange, status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
