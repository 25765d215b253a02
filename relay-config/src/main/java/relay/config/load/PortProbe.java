package relay.config.load;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.Optional;

/**
 * Tries to bind a listener's address and port and lets it go at once, to tell the operator before
 * start-up that something else holds it. Only "in use" is reported: a port below 1024 that needs
 * privileges, or an address of another machine, is a fact about who runs the check, and start-up
 * reports it on its own.
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
      return message.contains("in use")
          ? Optional.of("port " + port + " on " + address.getHostAddress() + " is already in use on this machine")
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
