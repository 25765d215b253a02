package relay.server.outbound;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * Receives Angus Mail's debug output for one outbound connection and turns it into protocol log
 * records: replies (lines starting with a reply code) are IN, commands are OUT, Angus's SMTP notes
 * are EVENT, other debug chatter (stack traces, provider lookup) is dropped. Message content is never logged: from the 354 reply to DATA until the lone "." that ends
 * the (dot-stuffed) content, lines are counted, not recorded. Angus suppresses AUTH exchanges itself
 * while {@code mail.debug.auth} is false.
 *
 * <p>Threading: written by the one thread that uses the connection at a time.
 */
final class ProtocolTrace extends OutputStream {

  private static final Pattern REPLY = Pattern.compile("^\\d{3}([ -].*)?$");
  private static final Pattern COMMAND = Pattern.compile("^[A-Z]{4,8}( .*)?$");
  private static final int MAX_LINE = 4096;

  private final ProtocolLog log;
  private final String session;
  private final String connector;
  private final String remote;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean dataSent;
  private boolean inContent;
  private long contentLines;
  private int contentLineLength;
  private boolean contentLineIsDot;

  ProtocolTrace(ProtocolLog log, String session, String connector, String remote) {
    this.log = log;
    this.session = session;
    this.connector = connector;
    this.remote = remote;
  }

  @Override
  public void write(int b) {
    if (inContent) {
      countContent(b);
    } else if (b == '\n') {
      flushLine();
    } else if (line.size() < MAX_LINE) {
      line.write(b);
    }
  }

  /** Content is only counted; a line holding just "." (it cannot occur in dot-stuffed content) ends it. */
  private void countContent(int b) {
    if (b == '\n') {
      if (contentLineIsDot) {
        endContent();
      } else {
        contentLines++;
      }
      contentLineLength = 0;
      contentLineIsDot = false;
      return;
    }
    contentLineLength++;
    contentLineIsDot = contentLineLength == 1 ? b == '.' : contentLineIsDot && contentLineLength == 2 && b == '\r';
  }

  @Override
  public void write(byte[] bytes, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(bytes[i]);
    }
  }

  private void flushLine() {
    String text = line.toString(StandardCharsets.ISO_8859_1);
    line.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.startsWith("DEBUG SMTP: ")) {
      record(Direction.EVENT, text.substring("DEBUG SMTP: ".length()));
    } else if (REPLY.matcher(text).matches()) {
      record(Direction.IN, text);
      inContent = dataSent && text.startsWith("354");
      dataSent = false;
    } else if (COMMAND.matcher(text).matches()) {
      record(Direction.OUT, text);
      dataSent = text.equals("DATA");
    }
    // Anything else is Angus's own chatter (provider notes, stack traces): not protocol, not logged.
  }

  private void endContent() {
    record(Direction.EVENT, "message content: " + contentLines + " lines not logged");
    record(Direction.OUT, ".");
    inContent = false;
    contentLines = 0;
  }

  private void record(Direction direction, String text) {
    log.line(session, connector, "-", remote, direction, text);
  }
}
