package relay.server.inbound;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import relay.core.metrics.SmtpStage;
import relay.core.reply.Replies;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * Answers a connection over the listener's connection limits with {@code 421 4.7.0} and closes it,
 * without starting a session. Runs on the channel's event loop.
 */
final class ConnectionRefusal extends ChannelInboundHandlerAdapter {

  private final ConnectionInfo connection;

  ConnectionRefusal(ConnectionInfo connection) {
    this.connection = connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.event("connect from " + connection.remote() + " refused: connection limit");
    connection.log(Direction.OUT, Replies.TOO_MANY_CONNECTIONS.toString());
    connection.metrics().connection(connection.listener(), connection.connectorName(), false);
    connection.metrics().messageRejected(SmtpStage.CONNECT, Replies.TOO_MANY_CONNECTIONS.code());
    ctx.writeAndFlush(Unpooled.copiedBuffer(Replies.TOO_MANY_CONNECTIONS.toWire(), StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
