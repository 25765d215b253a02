package relay.server.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Waits on a connection from a trusted load balancer for its PROXY protocol header (v1 text or v2
 * binary, decoded by Netty's {@code HAProxyMessageDecoder} just before this handler), then starts
 * the SMTP session for the client the header names and steps out of the pipeline.
 *
 * <p>A load balancer that sends no header within {@code timeout}, or a malformed one, is refused:
 * the connection is closed without a word, because what would follow is not SMTP from a known
 * client. A {@code LOCAL} header (v2; the balancer's own health check) or {@code UNKNOWN} family
 * keeps the real endpoints, as the protocol specifies.
 *
 * <p>Threading: runs on the channel's event loop. Bytes the client sent right behind the header
 * (a TLS ClientHello, say) are handed on by the decoder once it leaves, after the session started.
 */
final class ProxyHeader extends ChannelInboundHandlerAdapter {

  /** The client and the address it reached, as the header says, and how the balancer is named in logs. */
  record Endpoints(InetSocketAddress client, InetSocketAddress local, String via) {}

  /** Sets up the session handlers after this one; they then see channelActive. */
  interface SessionStart {
    void start(Endpoints endpoints);
  }

  private final Duration timeout;
  private final SessionStart start;
  private final Consumer<String> refused;
  private ScheduledFuture<?> timer;
  private boolean refusedAlready;

  /**
   * @param refused told why a connection was refused (for the protocol log), on the event loop
   */
  ProxyHeader(Duration timeout, SessionStart start, Consumer<String> refused) {
    this.timeout = timeout;
    this.start = start;
    this.refused = refused;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> refuse(ctx, "no PROXY header within " + timeout.toSeconds() + " s"),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
    InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
    Endpoints endpoints;
    try {
      endpoints = endpoints(header, peer, local);
    } catch (IllegalArgumentException e) {
      refuse(ctx, "PROXY header names no usable address: " + e.getMessage());
      return;
    } finally {
      header.release();
    }
    cancelTimer();
    start.start(endpoints);
    ctx.fireChannelActive();
    ctx.pipeline().remove(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // The decoder wraps what it found wrong (HAProxyProtocolException) in a DecoderException.
    Throwable found = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    refuse(ctx, "invalid PROXY header: " + found.getMessage());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  private static Endpoints endpoints(HAProxyMessage header, InetSocketAddress peer, InetSocketAddress local) {
    String balancer = peer.getAddress().getHostAddress() + ":" + peer.getPort();
    String version = "PROXY " + header.protocolVersion().name().toLowerCase(Locale.ROOT);
    boolean named = header.command() == HAProxyCommand.PROXY
        && (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4 || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6);
    if (!named) {
      return new Endpoints(peer, local, balancer + " (" + version + ", its own connection)");
    }
    return new Endpoints(
        new InetSocketAddress(InetAddress.ofLiteral(header.sourceAddress()), header.sourcePort()),
        new InetSocketAddress(InetAddress.ofLiteral(header.destinationAddress()), header.destinationPort()),
        balancer + " (" + version + ")");
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    cancelTimer();
    if (!refusedAlready) {
      refusedAlready = true;
      refused.accept(why);
    }
    ctx.close();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
