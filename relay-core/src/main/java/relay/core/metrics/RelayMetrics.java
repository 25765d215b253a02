package relay.core.metrics;

import java.time.Duration;
import relay.core.dsn.DsnAction;
import relay.core.routing.rule.RuleMode;

/**
 * What Relay counts, as a port: relay-server implements it with Micrometer ({@code relay_*} metric
 * names on {@code /metrics}); tests may use a recording implementation. Implementations are
 * thread-safe and never block.
 *
 * <p>Every label value that is not a configured name (connector, listener, rule) comes from an
 * enumeration, so that the set of series is closed and a typo cannot create a new one.
 */
public interface RelayMetrics {

  /** A TCP connection reached a listener ({@code accepted} false when refused at connect). */
  void connection(String listener, String connector, boolean accepted);

  /** A message was queued: 250 sent at end of DATA. */
  void messageAccepted(String connector, long bytes);

  /**
   * A command was refused with a 4xx/5xx reply.
   *
   * @param stage where in the session
   * @param code the SMTP reply code
   */
  void messageRejected(SmtpStage stage, int code);

  /** One recipient's delivery attempt ended with this result. */
  void deliveryAttempt(String connector, AttemptResult result);

  /** Time from acceptance to final delivery of a recipient. */
  void deliveryDelay(String connector, Duration delay);

  /** A mail-flow rule matched ({@code mode} enforce or test). */
  default void ruleHit(String rule, RuleMode mode) {}

  /** A delivery status notification was queued ({@code action} failed or delayed). */
  default void dsnQueued(DsnAction action) {}

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
        public void messageRejected(SmtpStage stage, int code) {}

        @Override
        public void deliveryAttempt(String connector, AttemptResult result) {}

        @Override
        public void deliveryDelay(String connector, Duration delay) {}
      };
}
