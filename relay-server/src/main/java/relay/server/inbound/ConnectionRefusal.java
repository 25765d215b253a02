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
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * Answers a connection the listener does not serve with a {@code 421} and closes it, without
 * starting a session, and records the refusal in the tracking log: over the connection limits
 * ({@code 421 4.7.0}) or on a drained node ({@code 421 4.3.2}). Runs on the channel's event loop.
 */
final class ConnectionRefusal extends ChannelInboundHandlerAdapter {

  private final ConnectionInfo connection;
  private final String client;
  private final TrackingLog tracking;
  private final InstantSource clock;
  private final SmtpReply reply;
  private final String why;

  /**
   * @param client the client's IP address (as the tracking log names it)
   * @param reply what the client is told
   * @param why the reason in the logs, e.g. {@code connection limit}
   */
  ConnectionRefusal(ConnectionInfo connection, String client, TrackingLog tracking, InstantSource clock, SmtpReply reply,
      String why) {
    this.connection = connection;
    this.client = client;
    this.tracking = tracking;
    this.clock = clock;
    this.reply = reply;
    this.why = why;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.event("connect from " + connection.remote() + " refused: " + why);
    connection.log(Direction.OUT, reply.toString());
    connection.metrics().connection(connection.listener(), connection.connectorName(), false);
    connection.metrics().messageRejected(SmtpStage.CONNECT, reply.code());
    tracking.record(new TrackingEvent.Rejected(clock.instant(), connection.sessionId(), client,
        connection.connector().map(InboundConnector::name).orElse(null), SmtpStage.CONNECT, null, null, null,
        reply, why + " (listener " + connection.listener() + ")", DecisionTrace.NONE));
    ctx.writeAndFlush(Unpooled.copiedBuffer(reply.toWire(), StandardCharsets.US_ASCII))
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
