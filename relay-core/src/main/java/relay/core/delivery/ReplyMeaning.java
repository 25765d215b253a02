package relay.core.delivery;

/** What an upstream reply or a failure to talk to the upstream means for a recipient. */
public enum ReplyMeaning {
  /** Accepted: the recipient is done. */
  DELIVERED,
  /** Not now: try again later. */
  TRANSIENT,
  /**
   * Not now, and the upstream asks the sender to slow down (too many sessions, quota reached): try
   * again later and send less through that mailbox meanwhile. Never a bounce, even for a 5xx.
   */
  THROTTLED,
  /** Never: the recipient has finally failed. */
  PERMANENT,
  /** The connector is misconfigured: hold the mail (no bounce, no retry) until an operator acts. */
  CONFIGURATION
}
