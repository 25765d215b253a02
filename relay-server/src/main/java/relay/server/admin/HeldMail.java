package relay.server.admin;

import java.util.List;

/**
 * What the admin endpoint shows and does about mail held back for a configuration problem (a
 * Microsoft 365 `535 5.7.139`, a missing connector, ...): the operator lists it with the reason,
 * fixes the cause, and releases it for another attempt. Implementations are thread-safe.
 */
public interface HeldMail {

  /** One line per held recipient: queue id, connector, recipient, reason. */
  List<String> describe();

  /** Puts a held message back into delivery; false when no held message has that id. */
  boolean release(String queueId);

  /** Nothing is ever held. */
  HeldMail NONE =
      new HeldMail() {
        @Override
        public List<String> describe() {
          return List.of();
        }

        @Override
        public boolean release(String queueId) {
          return false;
        }
      };
}
