package relay.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.subethamail.smtp.server.SessionHandler.SessionAcceptance;

/**
 * A stand-in for Exchange Online's SMTP AUTH submission endpoint (SubEthaSMTP on a loopback port):
 * AUTH is offered only after STARTTLS; XOAUTH2 is accepted only with an unexpired token issued by
 * the {@link FakeTokenEndpoint}; the envelope sender must be the mailbox or one of its Send As
 * delegates; at most {@code maxSessions} signed-in sessions per mailbox and {@code perMinute}
 * messages per mailbox per {@code window}. Replies use Microsoft's texts. Every time a client goes
 * over a limit it is counted in {@link #violations}. Thread-safe.
 */
public final class FakeMicrosoft365 implements AutoCloseable {

  public static final String TOO_MANY_SESSIONS = "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded";
  public static final String QUOTA_EXCEEDED =
      "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message";

  /** One message as submitted. */
  public record Submitted(String mailbox, String from, List<String> recipients, byte[] content) {}

  public final List<Submitted> messages = new CopyOnWriteArrayList<>();
  public final AtomicInteger violations = new AtomicInteger();
  public final AtomicInteger authFailures = new AtomicInteger();
  /** While positive, that many sign-ins are refused with 535 5.7.3 whatever the token. */
  public final AtomicInteger refuseSignIns = new AtomicInteger();
  /** When set, every sign-in is refused with this reply (e.g. {@code 535 5.7.139} SMTP AUTH disabled). */
  public volatile RejectException signInRefusal;
  public final AtomicInteger mostSessions = new AtomicInteger();
  /** While positive, that many MAIL FROMs are answered {@code 432 4.3.2} (too many sessions). */
  public final AtomicInteger throttleSessions = new AtomicInteger();
  /** While positive, that many messages are refused at the end of DATA as over the submission quota. */
  public final AtomicInteger exceedQuota = new AtomicInteger();
  /** MAIL FROM commands received from signed-in clients. */
  public final AtomicInteger transactions = new AtomicInteger();
  private final Map<String, Set<String>> sendAs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> sent = new ConcurrentHashMap<>();
  private final FakeTokenEndpoint tokens;
  private final InstantSource clock;
  private final int maxSessions;
  private final int perWindow;
  private final Duration window;
  private final SMTPServer server;

  public FakeMicrosoft365(SSLContext tls, FakeTokenEndpoint tokens, InstantSource clock, int maxSessions, int perWindow, Duration window) {
    this(tls, tokens, clock, maxSessions, perWindow, window, Duration.ofMinutes(1));
  }

  /** As above, dropping a session that stays idle for {@code idleTimeout}, as Exchange Online does. */
  public FakeMicrosoft365(SSLContext tls, FakeTokenEndpoint tokens, InstantSource clock, int maxSessions, int perWindow,
      Duration window, Duration idleTimeout) {
    this.tokens = tokens;
    this.clock = clock;
    this.maxSessions = maxSessions;
    this.perWindow = perWindow;
    this.window = window;
    server = new SMTPServer.Builder()
        .bindAddress(InetAddress.getLoopbackAddress())
        .port(0)
        .hostName("smtp.office365.test")
        .enableTLS()
        .requireTLS()
        // The idle timeout is set again on the TLS socket: the server's own applies to the plain one.
        .startTlsSocketFactory(socket -> {
          InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, remote.getHostString(), remote.getPort(), true);
          ssl.setUseClientMode(false);
          ssl.setSoTimeout((int) idleTimeout.toMillis());
          return ssl;
        })
        .insertReceivedHeaders(false)
        .connectionTimeout((int) idleTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .authenticationHandlerFactory(new Xoauth2Factory())
        .requireAuth()
        .messageHandlerFactory(this::handler)
        .sessionHandler(new SessionHandler() {
          @Override
          public SessionAcceptance accept(Session session) {
            return SessionAcceptance.success();
          }

          @Override
          public void onSessionEnd(Session session) {
            session.getAuthenticationHandler().map(AuthenticationHandler::getIdentity)
                .ifPresent(mailbox -> sessions.get((String) mailbox).decrementAndGet());
          }
        })
        .build();
    server.start();
  }

  /** Lets {@code mailbox} send as itself and as {@code delegates}. */
  public void mailbox(String mailbox, String... delegates) {
    Set<String> allowed = ConcurrentHashMap.newKeySet();
    allowed.add(mailbox);
    allowed.addAll(List.of(delegates));
    sendAs.put(mailbox, allowed);
  }

  /** Signed-in sessions open now, over every mailbox. */
  public int openSessions() {
    return sessions.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  public int port() {
    return server.getPortAllocated();
  }

  @Override
  public void close() {
    server.stop();
  }

  private final class Xoauth2Factory implements AuthenticationHandlerFactory {
    @Override
    public List<String> getAuthenticationMechanisms() {
      return List.of("XOAUTH2");
    }

    @Override
    public AuthenticationHandler create() {
      return new AuthenticationHandler() {
        private String mailbox;

        @Override
        public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
          String[] words = clientInput.strip().split(" ");
          String response = new String(Base64.getDecoder().decode(words[words.length - 1]), StandardCharsets.UTF_8);
          String user = null;
          String token = null;
          for (String part : response.split("\u0001")) {
            if (part.startsWith("user=")) {
              user = part.substring(5);
            } else if (part.startsWith("auth=Bearer ")) {
              token = part.substring(12);
            }
          }
          RejectException disabled = signInRefusal;
          if (disabled != null) {
            authFailures.incrementAndGet();
            throw disabled;
          }
          boolean refused = refuseSignIns.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
          if (refused || user == null || token == null || !tokens.isValid(token) || !sendAs.containsKey(user)) {
            authFailures.incrementAndGet();
            throw new RejectException(535, "5.7.3 Authentication unsuccessful [SN4PR0601CA0001.namprd06.prod.outlook.com]");
          }
          mailbox = user;
          int now = sessions.computeIfAbsent(user, u -> new AtomicInteger()).incrementAndGet();
          mostSessions.accumulateAndGet(now, Math::max);
          return Optional.empty();
        }

        @Override
        public Object getIdentity() {
          return mailbox;
        }
      };
    }
  }

  private MessageHandler handler(MessageContext context) {
    return new MessageHandler() {
      private final String mailbox = (String) context.getAuthenticationHandler().map(AuthenticationHandler::getIdentity).orElse(null);
      private String from;
      private final List<String> recipients = new CopyOnWriteArrayList<>();

      @Override
      public void from(String address) throws RejectException {
        transactions.incrementAndGet();
        if (throttleSessions.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new RejectException(432, TOO_MANY_SESSIONS);
        }
        if (sessions.get(mailbox).get() > maxSessions) {
          violations.incrementAndGet();
          throw new RejectException(432, TOO_MANY_SESSIONS);
        }
        if (!sendAs.get(mailbox).contains(address)) {
          throw new RejectException(550, "5.7.60 SMTP; Client does not have permissions to send as this sender");
        }
        from = address;
      }

      @Override
      public void recipient(String address) {
        recipients.add(address);
      }

      @Override
      public String data(InputStream data) throws RejectException, IOException {
        byte[] content = data.readAllBytes();
        if (exceedQuota.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new RejectException(554, QUOTA_EXCEEDED);
        }
        Deque<Instant> times = sent.computeIfAbsent(mailbox, m -> new ArrayDeque<>());
        synchronized (times) {
          Instant now = clock.instant();
          while (!times.isEmpty() && !times.peekFirst().plus(window).isAfter(now)) {
            times.removeFirst();
          }
          if (times.size() >= perWindow) {
            violations.incrementAndGet();
            throw new RejectException(554, QUOTA_EXCEEDED);
          }
          times.addLast(now);
        }
        messages.add(new Submitted(mailbox, from, List.copyOf(recipients), content));
        return null;
      }

      @Override
      public void done() {}
    };
  }
}
