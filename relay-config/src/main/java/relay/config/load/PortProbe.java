package relay.config.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Tries to bind a listener's address and port and lets it go at once, to tell the operator before
 * start-up that something else holds it. Only "in use" is reported: a port below 1024 that needs
 * privileges, or an address of another machine, is a fact about who runs the check, and start-up
 * reports it on its own. A port held by a running Relay (its greeting says so) is not reported
 * either: {@code relay check-config} on the relay's own host checks the running relay's file.
 */
final class PortProbe {

  private PortProbe() {}

  /** A message when the port is in use, else empty. */
  static Optional<String> inUse(InetAddress address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // like the listener: a socket in TIME_WAIT does not count
      socket.bind(new InetSocketAddress(address, port));
      return Optional.empty();
    } catch (BindException e) {
      String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      return message.contains("in use") && !relayAnswers(address, port)
          ? Optional.of("port " + port + " on " + address.getHostAddress() + " is already in use on this machine")
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether what holds the port greets like Relay ({@code 220 <name> ESMTP Relay}) within a second,
   * in plain text or, for an implicit-TLS listener, after a handshake (nothing is verified or sent:
   * the greeting only identifies the holder).
   */
  private static boolean relayAnswers(InetAddress address, int port) {
    InetAddress target = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
    return greetsLikeRelay(target, port, false) || greetsLikeRelay(target, port, true);
  }

  private static boolean greetsLikeRelay(InetAddress target, int port, boolean tls) {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(target, port), 1_000);
      plain.setSoTimeout(1_000);
      Socket socket = plain;
      if (tls) {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new IdentifyOnly()}, null);
        socket = context.getSocketFactory().createSocket(plain, target.getHostAddress(), port, true);
      }
      String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      return greeting != null && greeting.startsWith("220 ") && greeting.endsWith(" ESMTP Relay");
    } catch (IOException | GeneralSecurityException e) {
      return false;
    }
  }

  /** Accepts any certificate: used only to read a greeting, never to send anything. */
  private static final class IdentifyOnly implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
