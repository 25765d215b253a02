package relay.core.session;

import relay.core.reply.SmtpReply;

/** Test aid: extracts reply codes for compact assertions. */
final class SmtpReplyCodes {

  private SmtpReplyCodes() {}

  static int code(SmtpReply r) {
    return r.code();
  }
}
