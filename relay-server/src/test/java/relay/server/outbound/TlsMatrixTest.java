package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.server.outbound.SmtpTransportTest.CONTENT;
import static relay.server.outbound.SmtpTransportTest.connector;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.MailPath;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.TestPki;
import relay.server.testing.TestUpstream;

/**
 * Every TLS policy against every kind of upstream certificate (and an upstream without STARTTLS),
 * over real sockets with real TLS: delivered in clear, delivered encrypted, or held back with
 * nothing sent and a precise reason. The table below is the specification.
 */
class TlsMatrixTest {

  /** What the upstream presents. */
  enum Upstream { GOOD, WRONG_NAME, EXPIRED, SELF_SIGNED, UNTRUSTED_CA, NO_STARTTLS }

  /** What must happen. */
  sealed interface Expect {}

  record Delivered(boolean encrypted) implements Expect {}

  /** Nothing sent; the reason (with {@code PORT} standing for the upstream's port) is in the outcome. */
  record Held(String reason) implements Expect {}

  static final Delivered CLEAR = new Delivered(false);
  static final Delivered ENCRYPTED = new Delivered(true);
  static final Instant EXPIRED_AT = Instant.parse("2025-01-01T12:00:00Z");

  static Stream<Arguments> matrix() {
    return Stream.of(
        row(TlsMode.NONE, Upstream.GOOD, CLEAR),
        row(TlsMode.NONE, Upstream.WRONG_NAME, CLEAR),
        row(TlsMode.NONE, Upstream.EXPIRED, CLEAR),
        row(TlsMode.NONE, Upstream.SELF_SIGNED, CLEAR),
        row(TlsMode.NONE, Upstream.UNTRUSTED_CA, CLEAR),
        row(TlsMode.NONE, Upstream.NO_STARTTLS, CLEAR),

        row(TlsMode.OPPORTUNISTIC, Upstream.GOOD, ENCRYPTED),
        row(TlsMode.OPPORTUNISTIC, Upstream.WRONG_NAME, ENCRYPTED),
        row(TlsMode.OPPORTUNISTIC, Upstream.EXPIRED, ENCRYPTED),
        row(TlsMode.OPPORTUNISTIC, Upstream.SELF_SIGNED, ENCRYPTED),
        row(TlsMode.OPPORTUNISTIC, Upstream.UNTRUSTED_CA, ENCRYPTED),
        row(TlsMode.OPPORTUNISTIC, Upstream.NO_STARTTLS, CLEAR),

        row(TlsMode.REQUIRED, Upstream.GOOD, ENCRYPTED),
        row(TlsMode.REQUIRED, Upstream.WRONG_NAME, ENCRYPTED),
        row(TlsMode.REQUIRED, Upstream.EXPIRED, ENCRYPTED),
        row(TlsMode.REQUIRED, Upstream.SELF_SIGNED, ENCRYPTED),
        row(TlsMode.REQUIRED, Upstream.UNTRUSTED_CA, ENCRYPTED),
        row(TlsMode.REQUIRED, Upstream.NO_STARTTLS, new Held("STARTTLS not offered by localhost:PORT")),

        row(TlsMode.VERIFY, Upstream.GOOD, ENCRYPTED),
        row(TlsMode.VERIFY, Upstream.WRONG_NAME, new Held("localhost:PORT: certificate name mail.evil.test does not match localhost")),
        row(TlsMode.VERIFY, Upstream.EXPIRED, new Held("localhost:PORT: certificate expired on 2025-01-01")),
        row(TlsMode.VERIFY, Upstream.SELF_SIGNED, new Held("localhost:PORT: certificate not issued by a trusted CA (self-signed: CN=localhost)")),
        row(TlsMode.VERIFY, Upstream.UNTRUSTED_CA, new Held("localhost:PORT: certificate not issued by a trusted CA (issuer CN=Evil CA)")),
        row(TlsMode.VERIFY, Upstream.NO_STARTTLS, new Held("STARTTLS not offered by localhost:PORT")));
  }

  private static Arguments row(TlsMode mode, Upstream upstream, Expect expect) {
    return Arguments.of(mode, upstream, expect);
  }

  private static TestPki trusted;
  private static TestPki evil;

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Logger protocolLogger = (Logger) LoggerFactory.getLogger("relay.protocol");
  private final ListAppender<ILoggingEvent> protocolLines = new ListAppender<>();

  @BeforeAll
  static void pki() throws Exception {
    trusted = new TestPki("Relay Test CA");
    evil = new TestPki("Evil CA");
  }

  @AfterAll
  static void noPki() {
    trusted = null;
    evil = null;
  }

  @BeforeEach
  void captureProtocolLog() {
    protocolLines.start();
    protocolLogger.addAppender(protocolLines);
  }

  @AfterEach
  void closeAll() throws Exception {
    protocolLogger.detachAppender(protocolLines);
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @ParameterizedTest(name = "tls = {0}, upstream {1}: {2}")
  @MethodSource("matrix")
  void eachPolicyDeliversOrHoldsBackAsSpecified(TlsMode mode, Upstream kind, Expect expect) throws Exception {
    TestUpstream upstream = track(upstream(kind));
    TlsPolicy policy = mode == TlsMode.VERIFY ? TlsPolicy.verify(List.of(), trusted.writeCaPem(dir)) : TlsPolicy.of(mode);
    SmtpTransport transport = track(new SmtpTransport(connector(policy, new UpstreamHost("localhost", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog()));

    List<RecipientOutcome> outcomes = transport.deliver(request());

    switch (expect) {
      case Delivered d -> {
        assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
        assertThat(upstream.messages).singleElement().satisfies(m -> {
          assertThat(m.tls()).as("encrypted").isEqualTo(d.encrypted());
          assertThat(m.content()).isEqualTo(CONTENT);
        });
      }
      case Held h -> {
        String reason = h.reason().replace("PORT", Integer.toString(upstream.port()));
        assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
        assertThat(outcomes.getFirst().detail()).contains(reason);
        assertThat(upstream.messages).isEmpty();
        List<String> lines = protocolLines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).noneMatch(line -> line.contains(" OUT MAIL FROM"));
        assertThat(lines).anyMatch(line -> line.endsWith("EVENT not used: " + reason));
      }
    }
  }

  private TestUpstream upstream(Upstream kind) throws Exception {
    return switch (kind) {
      case GOOD -> TestUpstream.withStartTls(trusted.serverContext("localhost"));
      case WRONG_NAME -> TestUpstream.withStartTls(trusted.serverContext("mail.evil.test"));
      case EXPIRED -> TestUpstream.withStartTls(trusted.expiredServerContext("localhost", EXPIRED_AT));
      case SELF_SIGNED -> TestUpstream.withStartTls(TestPki.selfSignedServerContext("localhost"));
      case UNTRUSTED_CA -> TestUpstream.withStartTls(evil.serverContext("localhost"));
      case NO_STARTTLS -> TestUpstream.plain();
    };
  }

  static DeliveryRequest request() {
    return SmtpTransportTest.request(MailPath.parse("printer@example.com"), "a@example.com");
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
