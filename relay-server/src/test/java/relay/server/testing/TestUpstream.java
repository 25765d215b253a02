package relay.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.auth.LoginAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.PlainAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.UsernamePasswordValidator;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.subethamail.smtp.server.SessionHandler.SessionAcceptance;

/**
 * An independent upstream SMTP server for tests (SubEthaSMTP on a loopback port chosen by the OS):
 * records each message received with its envelope, counts sessions, and refuses recipients as told.
 */
public final class TestUpstream implements AutoCloseable {

  /** One message as the upstream saw it. */
  public record Received(String from, List<String> recipients, byte[] content, boolean tls, List<String> clientCertificateSubjects) {}

  public final List<Received> messages = new CopyOnWriteArrayList<>();
  public final AtomicInteger sessions = new AtomicInteger();
  /** Sessions that ended (the client quit or closed the connection). */
  public final AtomicInteger sessionsEnded = new AtomicInteger();
  /** The user names that signed in with SMTP AUTH, in order. */
  public final List<String> signIns;
  /** Recipient address → reply code and text to refuse it with. */
  public final Map<String, RejectException> refuse = new ConcurrentHashMap<>();
  /** While true, every connection is greeted with 421 (the upstream is "down"). */
  public volatile boolean down;
  /** While set, DATA waits for it to open before taking the message (a delivery kept in flight). */
  public volatile java.util.concurrent.CountDownLatch gate;
  /** How many DATA commands have begun (waiting at the gate or not). */
  public final AtomicInteger dataBegun = new AtomicInteger();
  private final SMTPServer server;

  private TestUpstream(SMTPServer.Builder builder) {
    this(builder, new CopyOnWriteArrayList<>());
  }

  private TestUpstream(SMTPServer.Builder builder, List<String> signIns) {
    this.signIns = signIns;
    server = builder
        .bindAddress(InetAddress.getLoopbackAddress())
        .port(0)
        .hostName("upstream.test")
        .insertReceivedHeaders(false)
        .sessionHandler(new SessionHandler() {
          @Override
          public SessionAcceptance accept(Session session) {
            sessions.incrementAndGet();
            return down ? SessionAcceptance.failure(421, "4.3.2 Service not available, try later")
                : SessionAcceptance.success();
          }

          @Override
          public void onSessionEnd(Session session) {
            sessionsEnded.incrementAndGet();
          }
        })
        .messageHandlerFactory(this::handler)
        .build();
    server.start();
  }

  public static TestUpstream plain() {
    return new TestUpstream(new SMTPServer.Builder());
  }

  public static TestUpstream withStartTls(SSLContext context) {
    return new TestUpstream(new SMTPServer.Builder().enableTLS().startTlsSocketFactory(context));
  }

  /**
   * STARTTLS with each server socket tuned before the handshake: e.g. asking for a client certificate
   * or limiting the protocol versions.
   */
  public static TestUpstream withStartTls(SSLContext context, Consumer<SSLSocket> tune) {
    return new TestUpstream(new SMTPServer.Builder().enableTLS().startTlsSocketFactory(socket -> {
      InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
      SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, remote.getHostString(), remote.getPort(), true);
      ssl.setUseClientMode(false);
      tune.accept(ssl);
      return ssl;
    }));
  }

  /**
   * STARTTLS required, then SMTP AUTH required with {@code mechanism} ({@code LOGIN} or {@code PLAIN},
   * the only one offered) and exactly this user name and password.
   */
  public static TestUpstream withStartTlsAndAuth(SSLContext context, String mechanism, String user, String password) {
    List<String> signIns = new CopyOnWriteArrayList<>();
    UsernamePasswordValidator validator = (name, given, ctx) -> {
      if (!user.equals(name) || !password.equals(given)) {
        throw new LoginFailedException("wrong user name or password");
      }
      signIns.add(name);
    };
    AuthenticationHandlerFactory auth = switch (mechanism) {
      case "LOGIN" -> new LoginAuthenticationHandlerFactory(validator);
      case "PLAIN" -> new PlainAuthenticationHandlerFactory(validator);
      default -> throw new IllegalArgumentException("no such mechanism in this test server: " + mechanism);
    };
    return new TestUpstream(new SMTPServer.Builder().enableTLS().requireTLS().startTlsSocketFactory(context)
        .authenticationHandlerFactory(auth).requireAuth(), signIns);
  }

  public int port() {
    return server.getPortAllocated();
  }

  @Override
  public void close() {
    server.stop();
  }

  private MessageHandler handler(MessageContext context) {
    return new MessageHandler() {
      private String from;
      private final List<String> recipients = new ArrayList<>();

      @Override
      public void from(String address) {
        from = address;
      }

      @Override
      public void recipient(String address) throws RejectException {
        RejectException refusal = refuse.get(address);
        if (refusal != null) {
          throw refusal;
        }
        recipients.add(address);
      }

      @Override
      public String data(InputStream data) throws IOException {
        dataBegun.incrementAndGet();
        java.util.concurrent.CountDownLatch waitFor = gate;
        if (waitFor != null) {
          try {
            waitFor.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted at the gate", e);
          }
        }
        Certificate[] peer = context.getTlsPeerCertificates();
        List<String> subjects = peer == null ? List.of() : Arrays.stream(peer)
            .map(c -> ((X509Certificate) c).getSubjectX500Principal().getName()).toList();
        messages.add(new Received(from, List.copyOf(recipients), data.readAllBytes(),
            peer != null || ((Session) context).isTLSStarted(), subjects));
        return null;
      }

      @Override
      public void done() {}
    };
  }
}
