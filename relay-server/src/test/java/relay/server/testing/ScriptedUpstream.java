package relay.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-made SMTP upstream for behaviour no real server shows on demand. It answers commands as a
 * plain server would (250, 354 to DATA, 503 out of order), refuses the senders and recipients it is
 * told to, and can misbehave: stop answering at one command, stop reading after its 354, drop each
 * session right after the 250 for its message, or drop it unanswered at its second MAIL. When it
 * offers PIPELINING it holds its replies to MAIL and RCPT while more input is waiting and sends
 * them when the input runs dry (RFC 2920 section 3.2). Records the command lines, which of them
 * arrived together ({@link #groups}), and the raw content lines, and counts sessions. Loopback,
 * port 0; sessions are served one at a time on a virtual thread.
 */
public final class ScriptedUpstream implements AutoCloseable {

  /** What the upstream does wrong. */
  public enum Misbehaviour {
    /** Nothing: a plain, well-behaved upstream. */
    NONE,
    /** Never answers MAIL FROM. */
    SILENT_AT_MAIL,
    /** Answers DATA with 354, then never reads the content. */
    STOPS_READING_AT_DATA,
    /** Closes each session right after the 250 for its message, without QUIT. */
    DROPS_AFTER_MESSAGE,
    /** Closes each session without a reply when a second MAIL arrives on it. */
    DROPS_AT_SECOND_MAIL
  }

  private final Misbehaviour misbehaviour;
  private final List<String> extensions;
  private final Set<String> refused;
  private final ServerSocket server;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger sessions = new AtomicInteger();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final List<String> content = new CopyOnWriteArrayList<>();
  private final List<List<String>> groups = new CopyOnWriteArrayList<>();

  public ScriptedUpstream(Misbehaviour misbehaviour) throws IOException {
    this(misbehaviour, List.of(), Set.of());
  }

  /**
   * @param extensions the EHLO keywords it offers, such as {@code PIPELINING} or {@code DSN}
   * @param refused addresses refused with 550 when they appear in MAIL FROM or RCPT TO
   */
  public ScriptedUpstream(Misbehaviour misbehaviour, List<String> extensions, Set<String> refused) throws IOException {
    this.misbehaviour = misbehaviour;
    this.extensions = List.copyOf(extensions);
    this.refused = Set.copyOf(refused);
    this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("scripted-upstream").start(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Sessions accepted so far. */
  public int sessions() {
    return sessions.get();
  }

  /** Command lines received so far, in order (message content excluded). */
  public List<String> commands() {
    return List.copyOf(commands);
  }

  /**
   * Command lines in the groups they arrived in: the lines read before the input ran dry. A client
   * that waits for each reply makes groups of one.
   */
  public List<List<String>> groups() {
    return List.copyOf(groups);
  }

  /** Content lines received so far as they came on the wire (dot-stuffed, end-of-data line included). */
  public List<String> content() {
    return List.copyOf(content);
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        sessions.incrementAndGet();
        serve(s);
      } catch (IOException | InterruptedException e) {
        // the next session, or closed
      }
    }
  }

  private void serve(Socket s) throws IOException, InterruptedException {
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    Replies out = new Replies(s.getOutputStream(), extensions.contains("PIPELINING"));
    out.now("220 scripted upstream ready");
    boolean data = false;
    boolean mail = false;
    int recipients = 0;
    int mails = 0;
    List<String> group = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) {
      if (!data) {
        group.add(line);
      }
      if (!in.ready()) {
        // The input ran dry: this line ends what the client sent together.
        if (!group.isEmpty()) {
          groups.add(List.copyOf(group));
          group.clear();
        }
        out.flushLater();
      }
      if (data) {
        content.add(line);
        if (line.equals(".")) {
          data = false;
          mail = false;
          recipients = 0;
          out.now("250 2.0.0 queued");
          if (misbehaviour == Misbehaviour.DROPS_AFTER_MESSAGE) {
            return;
          }
        }
        continue;
      }
      commands.add(line);
      switch (line.split(" ", 2)[0].toUpperCase(Locale.ROOT)) {
        case "EHLO", "HELO" -> out.now(ehlo());
        case "MAIL" -> {
          if (misbehaviour == Misbehaviour.SILENT_AT_MAIL) {
            closed.await();
            return;
          }
          if (++mails == 2 && misbehaviour == Misbehaviour.DROPS_AT_SECOND_MAIL) {
            return;
          }
          mail = !refused.contains(path(line));
          out.held(mail ? "250 2.1.0 ok" : "550 5.7.1 sender refused");
        }
        case "RCPT" -> {
          if (!mail) {
            out.held("503 5.5.1 need MAIL first");
          } else if (refused.contains(path(line))) {
            out.held("550 5.1.1 no such user");
          } else {
            recipients++;
            out.held("250 2.1.5 ok");
          }
        }
        case "DATA" -> {
          if (recipients == 0) {
            out.now("554 5.5.1 no valid recipients");
            continue;
          }
          out.now("354 go ahead");
          if (misbehaviour == Misbehaviour.STOPS_READING_AT_DATA) {
            closed.await();
            return;
          }
          data = true;
        }
        case "RSET" -> {
          mail = false;
          recipients = 0;
          out.now("250 2.0.0 reset");
        }
        case "QUIT" -> {
          out.now("221 bye");
          return;
        }
        default -> out.now("250 ok");
      }
    }
  }

  private String ehlo() {
    StringBuilder reply = new StringBuilder("250").append(extensions.isEmpty() ? " " : "-").append("scripted");
    for (int i = 0; i < extensions.size(); i++) {
      reply.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-").append(extensions.get(i));
    }
    return reply.toString();
  }

  private static String path(String command) {
    int open = command.indexOf('<');
    int close = command.indexOf('>', open + 1);
    return open < 0 || close < 0 ? "" : command.substring(open + 1, close);
  }

  /** Replies, with MAIL and RCPT ones held until the next other reply when pipelining. */
  private static final class Replies {
    private final OutputStream out;
    private final boolean holding;
    private final StringBuilder pending = new StringBuilder();

    Replies(OutputStream out, boolean holding) {
      this.out = out;
      this.holding = holding;
    }

    private boolean dry;

    void held(String line) throws IOException {
      pending.append(line).append("\r\n");
      if (!holding || dry) {
        flush();
      }
    }

    /** The input ran dry: the reply to the command just read goes out with those held before it. */
    void flushLater() {
      dry = true;
    }

    void now(String line) throws IOException {
      pending.append(line).append("\r\n");
      flush();
    }

    private void flush() throws IOException {
      dry = false;
      out.write(pending.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      pending.setLength(0);
    }
  }
}
