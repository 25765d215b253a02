package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.envelope.Domain;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.BareLineEndings;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;
import relay.core.routing.RoutingSnapshot;
import relay.core.session.SessionLimits;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.TrackingEvent;

/**
 * What the listener tells the tracking log about a committed message, in relation to handing it to
 * delivery. Delivery may record an outcome the moment it has the message (a local upstream answers
 * within a millisecond), so the message's routing must be in the tracking log before the hand-over:
 * otherwise tracking.log and {@code relay trace} may show it delivered before it was routed.
 */
class SmtpListenerTrackingTest {

  private static final Instant NOW = Instant.parse("2026-05-06T07:08:09Z");

  @TempDir Path dir;
  private SmtpListener listener;
  /** Tracking events and hand-overs to delivery, in the order they happened. */
  private final List<String> story = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
  }

  private int start() throws Exception {
    InboundConnector lan = new InboundConnector(
        "lan", List.of(ClientNetwork.parse("127.0.0.0/8"), ClientNetwork.parse("::1/128")), false, Set.of(), false,
        Set.of(Domain.of("corp.example")), BareLineEndings.NORMALIZE,
        new SessionLimits(64L << 20, 50, 10, 1024, 65536, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    ListenerSettings settings = new ListenerSettings(
        "smtp", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "relay.test", List.of(lan), Optional.empty(),
        100, 10);
    listener = new SmtpListener(settings, new TestSpool(dir), m -> story.add("handed over " + m.id().value()),
        new ProtocolLog(), RelayMetrics.NONE, InstantSource.fixed(NOW), () -> RoutingSnapshot.single("default"),
        event -> story.add(describe(event)));
    listener.start();
    return listener.port();
  }

  private static String describe(TrackingEvent event) {
    return event instanceof TrackingEvent.Routed r ? "routed " + r.id().value() : event.getClass().getSimpleName();
  }

  @Test
  void aCommittedMessageIsTrackedAsRoutedBeforeItIsHandedToDelivery() throws Exception {
    String id;
    try (RawClient c = new RawClient(start())) {
      c.reply();
      c.send("EHLO printer.corp.example\r\n");
      c.replyLines();
      c.send("MAIL FROM:<scanner@corp.example>\r\nRCPT TO:<boss@corp.example>\r\nDATA\r\n");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("354");
      c.send("Subject: scan\r\n\r\npage\r\n.\r\n");
      String queued = c.reply();
      assertThat(queued).startsWith("250 2.0.0 Ok queued as ");
      id = queued.substring(queued.lastIndexOf(' ') + 1);
    }

    // Both happen before the 250 is written, so no waiting is needed; only their order is in question.
    assertThat(story).containsSubsequence("routed " + id, "handed over " + id);
    assertThat(story).filteredOn(s -> s.endsWith(id)).containsExactly("routed " + id, "handed over " + id);
  }
}
