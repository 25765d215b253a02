package relay.server.inbound;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import relay.core.metrics.SmtpStage;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.routing.rule.DecisionTrace;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * Answers a connection over the listener's connection limits with {@code 421 4.7.0} and closes it,
 * without starting a session, and records the refusal in the tracking log. Runs on the channel's
 * event loop.
 */
final class ConnectionRefusal extends ChannelInboundHandlerAdapter {

  private final ConnectionInfo connection;
  private final String client;
  private final TrackingLog tracking;
  private final InstantSource clock;

  /** @param client the client's IP address (as the tracking log names it) */
  ConnectionRefusal(ConnectionInfo connection, String client, TrackingLog tracking, InstantSource clock) {
    this.connection = connection;
    this.client = client;
    this.tracking = tracking;
    this.clock = clock;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.event("connect from " + connection.remote() + " refused: connection limit");
    connection.log(Direction.OUT, Replies.TOO_MANY_CONNECTIONS.toString());
    connection.metrics().connection(connection.listener(), connection.connectorName(), false);
    connection.metrics().messageRejected(SmtpStage.CONNECT, Replies.TOO_MANY_CONNECTIONS.code());
    tracking.record(new TrackingEvent.Rejected(clock.instant(), connection.sessionId(), client,
        connection.connector().map(InboundConnector::name).orElse(null), SmtpStage.CONNECT, null, null, null,
        Replies.TOO_MANY_CONNECTIONS, "over listener " + connection.listener() + "'s connection limits", DecisionTrace.NONE));
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
