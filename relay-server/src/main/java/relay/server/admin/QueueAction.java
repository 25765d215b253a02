package relay.server.admin;

/** What an operator can do to one queued message. */
public enum QueueAction {
  /** Make it due now. */
  RETRY,
  /** Keep it back until released (Exchange's Suspend-Message, Postfix's postsuper -h). */
  HOLD,
  /** Put held or suspended mail back into delivery. */
  RELEASE,
  /** Remove it without telling anyone (postsuper -d). */
  DELETE,
  /** Remove it and send its sender a failure notice (Remove-Message -WithNDR). */
  BOUNCE
}
