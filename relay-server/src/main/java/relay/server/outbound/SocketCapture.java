package relay.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Properties;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Hands each upstream connection the sockets Angus Mail opens for it, so that the connection can
 * tell which address it reached and which TLS session it runs on (its
 * {@link relay.core.delivery.UpstreamHop}). Angus keeps its socket private and offers no accessor;
 * what it does let us choose are the socket factories. So the factories it is given are wrapped,
 * and each socket they make while a connection is being opened ({@link #opening}) goes to the
 * receiver bound for that call. The binding is a {@link ScopedValue} of the opening thread: nothing
 * global, nothing left behind when the call returns, and a socket made outside such a call (Angus
 * makes none) is simply not reported.
 *
 * <p>Angus opens the TCP socket and, for STARTTLS, layers the TLS socket over it, both inside
 * {@code connect}: the receiver sees the plain socket first, then the TLS one.
 *
 * <p>One per connector, shared by its pools like the {@link StallWatch}. Thread-safe: the wrapped
 * factories are, and a receiver is only called on the thread that bound it.
 */
final class SocketCapture {

  private final ScopedValue<Consumer<Socket>> receiver = ScopedValue.newInstance();

  /**
   * Wraps the socket factories already set in {@code props} ({@code mail.smtp.socketFactory} and
   * {@code mail.smtp.ssl.socketFactory}, by {@link StallWatch#apply} and {@link UpstreamTls#apply}):
   * call it after those.
   */
  void apply(Properties props) {
    if (props.get("mail.smtp.socketFactory") instanceof SocketFactory plain) {
      props.put("mail.smtp.socketFactory", new Plain(plain));
    }
    if (props.get("mail.smtp.ssl.socketFactory") instanceof SSLSocketFactory tls) {
      props.put("mail.smtp.ssl.socketFactory", new Tls(tls));
    }
  }

  /** Runs {@code open} (a connect), handing every socket made meanwhile on this thread to {@code to}. */
  <R, X extends Throwable> R opening(Consumer<Socket> to, ScopedValue.CallableOp<R, X> open) throws X {
    return ScopedValue.where(receiver, to).call(open);
  }

  private <S extends Socket> S made(S socket) {
    if (receiver.isBound()) {
      receiver.get().accept(socket);
    }
    return socket;
  }

  private final class Plain extends SocketFactory {
    private final SocketFactory delegate;

    Plain(SocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public Socket createSocket() throws IOException {
      return made(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return made(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return made(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return made(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return made(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  private final class Tls extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    Tls(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    // STARTTLS: the TLS socket layered over the connected plain one.
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      return made(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
      return made(delegate.createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
      return made(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return made(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return made(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return made(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return made(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
