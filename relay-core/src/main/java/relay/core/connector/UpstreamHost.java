package relay.core.connector;

import java.util.Objects;

/** One upstream SMTP server of a smart-host connector: a host name or IP literal and a port. */
public record UpstreamHost(String host, int port) {

  public UpstreamHost {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
