package relay.core.delivery;

/** What an upstream reply or a failure to talk to the upstream means for a recipient. */
public enum ReplyMeaning {
  /** Accepted: the recipient is done. */
  DELIVERED,
  /** Not now: try again later. */
  TRANSIENT,
  /** Never: the recipient has finally failed. */
  PERMANENT
}
