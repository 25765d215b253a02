package relay.server.main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Test aid: an SMTP client over a plain socket that shows the exact reply lines, for assertions on
 * codes and texts. One command at a time; not thread-safe.
 */
final class RawSmtp implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  RawSmtp(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(15_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
    reply();
  }

  /** Sends one line and returns the complete reply (last line, which carries code and text). */
  String send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply();
  }

  /** DATA with this content (CRLF lines, no dot-stuffing needed for the test texts). */
  String data(String content) throws IOException {
    String go = send("DATA");
    if (!go.startsWith("354")) {
      return go;
    }
    out.write((content + "\r\n.\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply();
  }

  /** One message; returns the reply to the end of DATA, or the first refusal before it. */
  String message(String from, String content, String... recipients) throws IOException {
    String r = send("MAIL FROM:<" + from + ">");
    if (!r.startsWith("250")) {
      return r;
    }
    boolean any = false;
    for (String to : recipients) {
      any |= send("RCPT TO:<" + to + ">").startsWith("250");
    }
    if (!any) {
      send("RSET");
      return "no recipient accepted";
    }
    return data(content);
  }

  private String reply() throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
