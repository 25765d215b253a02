package relay.server.admin;

/**
 * What an action did. Immutable.
 *
 * @param result whether it took effect, or why not in one word
 * @param detail what happened, for the operator ("due now", "an attempt is under way: try again ...")
 */
public record ActionOutcome(Result result, String detail) {

  /** Whether an action took effect. */
  public enum Result {
    /** It did. */
    DONE,
    /** It could not (the message is in flight, not held, ...): {@code detail} says why. */
    NOT_DONE,
    /** No queued message of that id. */
    NOT_FOUND
  }

  public static ActionOutcome done(String detail) {
    return new ActionOutcome(Result.DONE, detail);
  }

  public static ActionOutcome notDone(String detail) {
    return new ActionOutcome(Result.NOT_DONE, detail);
  }

  public boolean isDone() {
    return result == Result.DONE;
  }
}
