package relay.core.metrics;

import java.time.Duration;

/**
 * What Relay counts, as a port: relay-server implements it with Micrometer ({@code relay_*} metric
 * names on {@code /metrics}); tests may use a recording implementation. Implementations are
 * thread-safe and never block.
 */
public interface RelayMetrics {

  /** A TCP connection reached a listener ({@code accepted} false when refused at connect). */
  void connection(String listener, String connector, boolean accepted);

  /** A message was queued: 250 sent at end of DATA. */
  void messageAccepted(String connector, long bytes);

  /**
   * A command was refused with a 4xx/5xx reply.
   *
   * @param stage connect, helo, mail, rcpt, data or auth
   * @param code the SMTP reply code
   */
  void messageRejected(String stage, int code);

  /** One recipient's delivery attempt ended with this result (delivered, transient, permanent). */
  void deliveryAttempt(String connector, String result);

  /** Time from acceptance to final delivery of a recipient. */
  void deliveryDelay(String connector, Duration delay);

  /** A mail-flow rule matched ({@code mode} enforce or test). */
  default void ruleHit(String rule, String mode) {}

  /** A delivery status notification was queued ({@code action} failed or delayed). */
  default void dsnQueued(String action) {}

  /** A configuration reload was attempted ({@code success} false when the old one stays). */
  default void configReload(boolean success) {}

  /** A metrics port that records nothing. */
  RelayMetrics NONE =
      new RelayMetrics() {
        @Override
        public void connection(String listener, String connector, boolean accepted) {}

        @Override
        public void messageAccepted(String connector, long bytes) {}

        @Override
        public void messageRejected(String stage, int code) {}

        @Override
        public void deliveryAttempt(String connector, String result) {}

        @Override
        public void deliveryDelay(String connector, Duration delay) {}
      };
}
