package relay.server.outbound;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import relay.core.envelope.MessageId;
import relay.core.reply.SmtpReply;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * Angus Mail's SMTP client with each command and reply line recorded in the protocol log as it
 * passes: commands OUT, reply lines IN, notes (content sent, TLS started) EVENT. Message content is
 * never recorded, and neither are authentication payloads: an {@code AUTH} command keeps only its
 * mechanism, and the raw challenge responses Angus sends as bytes are replaced by a note. Each
 * message's transaction begins with a note naming its queue id ({@link #beginMessage}).
 *
 * <p>Why not Angus's debug output: with debug on, Angus copies every content byte and every
 * exception's stack trace through a {@code PrintStream}, which cost about a fifth of the relay's CPU
 * time per message; the hooks used here see only the command and reply lines.
 *
 * <p>It also remembers the socket its connection runs on (the TLS one once STARTTLS ran), as
 * {@link SocketCapture} hands it over while {@code connect} runs: Angus keeps its own to itself.
 * The mail transaction ({@link UpstreamTransaction}) writes its commands and content to that
 * socket directly ({@link #send}, {@link #sendContent}) and reads replies through Angus
 * ({@link #reply}), all recorded here like Angus's own commands.
 *
 * <p>Threading: like its superclass, used by one thread at a time (its methods synchronize on it).
 */
final class TracedSmtpTransport extends SMTPTransport {

  private final ProtocolLog log;
  private final String session;
  private final String connector;
  private final String remote;
  private final SocketCapture capture;
  private long replies;
  private Socket socket;

  /**
   * @param capture the capture that {@code mailSession}'s socket factories report to
   *     ({@link SocketCapture#apply})
   */
  TracedSmtpTransport(
      Session mailSession, SocketCapture capture, ProtocolLog log, String session, String connector, String remote) {
    super(mailSession, new URLName("smtp", null, -1, null, null, null));
    this.capture = capture;
    this.log = log;
    this.session = session;
    this.connector = connector;
    this.remote = remote;
  }

  // Angus opens the socket, and layers TLS over it for STARTTLS, all within this call.
  @Override
  protected synchronized boolean protocolConnect(String host, int port, String user, String password)
      throws MessagingException {
    return capture.opening(opened -> socket = opened, () -> super.protocolConnect(host, port, user, password));
  }

  /** The socket the connection runs on (the TLS socket once STARTTLS ran); null before connecting. */
  synchronized Socket socket() {
    return socket;
  }

  @Override
  protected void sendCommand(String command) throws MessagingException {
    record(Direction.OUT, redact(command));
    super.sendCommand(command);
  }

  // Angus sends authentication responses (credentials, tokens) as raw bytes through this method.
  @Override
  protected int simpleCommand(byte[] command) throws MessagingException {
    record(Direction.OUT, "*** (authentication data not logged)");
    return super.simpleCommand(command);
  }

  /**
   * Marks where the transaction of queued message {@code id} begins on this connection, so that
   * {@code grep ID protocol.log} finds the outbound session (a connection carries several messages
   * one after the other; its lines share the session id in their first field).
   */
  void beginMessage(MessageId id, int recipients) {
    record(Direction.EVENT, "message " + id + ": " + recipients + (recipients == 1 ? " recipient" : " recipients"));
  }

  /** Replies the upstream actually sent on this connection so far. */
  long replies() {
    return replies;
  }

  @Override
  protected int readServerResponse() throws MessagingException {
    int code = super.readServerResponse();
    if (code != -1) { // -1: nothing could be read (Angus's mark for a dropped connection)
      replies++;
    }
    String response = getLastServerResponse();
    if (response != null) {
      int start = 0;
      while (start < response.length()) {
        int end = response.indexOf('\n', start);
        if (end < 0) {
          end = response.length();
        }
        int stop = end > start && response.charAt(end - 1) == '\r' ? end - 1 : end;
        if (stop > start) {
          record(Direction.IN, response.substring(start, stop));
        }
        start = end + 1;
      }
    }
    return code;
  }

  /**
   * Sends {@code commands} (each without its CRLF) in one write: the group RFC 2920 allows when
   * the server offers PIPELINING, or a single command. Their replies are read with {@link #reply}.
   */
  synchronized void send(List<String> commands) throws MessagingException {
    StringBuilder text = new StringBuilder(64 * commands.size());
    for (String command : commands) {
      record(Direction.OUT, command);
      text.append(command).append("\r\n");
    }
    try {
      OutputStream out = connectedSocket().getOutputStream();
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new MessagingException("sending to the upstream failed", e);
    }
  }

  /**
   * Reads the next reply (all its lines).
   *
   * @throws MessagingException when the connection closed or failed before a whole reply arrived
   */
  synchronized SmtpReply reply() throws MessagingException {
    int code = readServerResponse();
    if (code == -1) {
      throw new MessagingException("connection closed by the upstream");
    }
    return UpstreamReply.parse(code, getLastServerResponse());
  }

  /** Sends a message's content after its {@code 354}, then the end-of-data line. */
  synchronized void sendContent(SpooledMessage content) throws MessagingException {
    try {
      DataStream data = new DataStream(connectedSocket().getOutputStream(), content.sizeHint());
      content.writeTo(data);
      data.finish();
    } catch (IOException e) {
      throw new MessagingException("sending the message content failed", e);
    }
    record(Direction.EVENT, "message content sent, not logged");
    record(Direction.OUT, ".");
  }

  // Angus flushes its own buffer after every command it sends, so writing to the socket directly
  // never overtakes bytes of Angus's; replies are still read through Angus's buffered input.
  private Socket connectedSocket() throws MessagingException {
    Socket s = socket();
    // Not isConnected(): Angus answers that by sending a NOOP.
    if (s == null || s.isClosed()) {
      throw new MessagingException("not connected to the upstream");
    }
    return s;
  }

  @Override
  protected void startTLS() throws MessagingException {
    super.startTLS();
    record(Direction.EVENT, "TLS started");
  }

  /** An AUTH command may carry an initial response (a credential): only the mechanism is kept. */
  static String redact(String command) {
    if (command.length() >= 5 && command.regionMatches(true, 0, "AUTH ", 0, 5)) {
      String rest = command.substring(5).strip();
      int space = rest.indexOf(' ');
      return space < 0 ? command : "AUTH " + rest.substring(0, space).toUpperCase(Locale.ROOT) + " ***";
    }
    return command;
  }

  private void record(Direction direction, String text) {
    log.line(session, connector, "-", remote, direction, text);
  }
}
