package relay.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.MessageContext;
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
  public record Received(String from, List<String> recipients, byte[] content, boolean tls) {}

  public final List<Received> messages = new CopyOnWriteArrayList<>();
  public final AtomicInteger sessions = new AtomicInteger();
  /** Recipient address → reply code and text to refuse it with. */
  public final Map<String, RejectException> refuse = new ConcurrentHashMap<>();
  /** While true, every connection is greeted with 421 (the upstream is "down"). */
  public volatile boolean down;
  private final SMTPServer server;

  private TestUpstream(SMTPServer.Builder builder) {
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
          public void onSessionEnd(Session session) {}
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
        messages.add(new Received(from, List.copyOf(recipients), data.readAllBytes(),
            context.getTlsPeerCertificates() != null || ((Session) context).isTLSStarted()));
        return null;
      }

      @Override
      public void done() {}
    };
  }
}
