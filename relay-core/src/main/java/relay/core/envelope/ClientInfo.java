package relay.core.envelope;

import java.util.Objects;

/**
 * Who handed a message to Relay: the peer address, what it said in EHLO/HELO, whether the session
 * was encrypted, and which inbound connector admitted it.
 *
 * @param address the client's IP address as text (no port)
 * @param port the client's TCP port
 * @param helo the EHLO/HELO argument as given
 * @param tls whether the message was received over TLS
 * @param inboundConnector the name of the inbound connector that admitted the client
 */
public record ClientInfo(String address, int port, String helo, boolean tls, String inboundConnector) {

  public ClientInfo {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(helo, "helo");
    Objects.requireNonNull(inboundConnector, "inboundConnector");
  }
}
