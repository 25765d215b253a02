package relay.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-made SMTP upstream for misbehaviour no real server shows on demand: it answers every
 * command with 2xx (354 to DATA) and can stop answering at one command, stop reading after its
 * 354, drop each session right after the 250 for its message, or drop it unanswered at its
 * second MAIL. Records the commands it saw and counts sessions. Loopback, port 0; sessions are served one at a time on a virtual thread.
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
  private final ServerSocket server;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger sessions = new AtomicInteger();
  private final List<String> commands = new CopyOnWriteArrayList<>();

  public ScriptedUpstream(Misbehaviour misbehaviour) throws IOException {
    this.misbehaviour = misbehaviour;
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
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = s.getOutputStream();
    reply(out, "220 scripted upstream ready");
    boolean data = false;
    int mails = 0;
    for (String line; (line = in.readLine()) != null; ) {
      if (data) {
        if (line.equals(".")) {
          data = false;
          reply(out, "250 2.0.0 queued");
          if (misbehaviour == Misbehaviour.DROPS_AFTER_MESSAGE) {
            return;
          }
        }
        continue;
      }
      commands.add(line);
      switch (line.split(" ", 2)[0].toUpperCase(Locale.ROOT)) {
        case "EHLO", "HELO" -> reply(out, "250 scripted");
        case "MAIL" -> {
          if (misbehaviour == Misbehaviour.SILENT_AT_MAIL) {
            closed.await();
            return;
          }
          if (++mails == 2 && misbehaviour == Misbehaviour.DROPS_AT_SECOND_MAIL) {
            return;
          }
          reply(out, "250 2.1.0 ok");
        }
        case "DATA" -> {
          reply(out, "354 go ahead");
          if (misbehaviour == Misbehaviour.STOPS_READING_AT_DATA) {
            closed.await();
            return;
          }
          data = true;
        }
        case "QUIT" -> {
          reply(out, "221 bye");
          return;
        }
        default -> reply(out, "250 ok");
      }
    }
  }

  private static void reply(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
