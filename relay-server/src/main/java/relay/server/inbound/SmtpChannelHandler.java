package relay.server.inbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.metrics.RelayMetrics;
import relay.core.metrics.SmtpStage;
import relay.core.policy.InboundConnector;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderSection;
import relay.core.session.ChunkContentDecoder;
import relay.core.session.DataSummary;
import relay.core.session.Effect;
import relay.core.session.MessageContentDecoder;
import relay.core.session.SessionState;
import relay.core.session.SessionState.Phase;
import relay.core.session.SessionTls;
import relay.core.session.SmtpSession;
import relay.core.session.SpoolFailure;
import relay.core.session.HeaderCapture;
import relay.core.session.Intake;
import relay.core.routing.rule.DecisionTrace;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;
import relay.core.session.Transition;
import relay.core.spool.QueuedMessage;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * The Netty side of one SMTP connection: frames the byte stream into command lines (with a length
 * cap) or, in DATA mode, passes raw bytes to the pure {@link MessageContentDecoder}, or, for a BDAT
 * chunk, counts off exactly its octets ({@link ChunkOctets}); runs the pure {@link SmtpSession} and
 * carries out its effects. Spool work goes to the session's {@link SpoolLane}; reading stops while
 * the lane is behind, so a message never piles up in heap, whichever way it comes.
 *
 * <p>Threading: every method runs on the channel's event loop; lane callbacks hop back onto it,
 * except for what must happen before a committed message is handed to delivery (its routing is
 * tracked on the lane's thread, so that no delivery outcome is tracked ahead of it).
 * Bytes are kept in {@code pending} while the session waits (spool open, commit, TLS handshake), so
 * pipelined commands are answered in order.
 */
final class SmtpChannelHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(SmtpChannelHandler.class);
  private static final int HIGH_WATER = 1 << 20;
  private static final int LOW_WATER = 256 << 10;
  private static final int SCRATCH = 64 << 10;

  private final SmtpSession session;
  private final ConnectionInfo wiring;
  private final SpoolLane lane;
  private final Consumer<QueuedMessage> onQueued;
  private final TrackingLog tracking;
  private final Supplier<Intake> intake;
  private HeaderCapture headers;
  private SessionState state;
  private ByteBuf pending;
  private MessageContentDecoder decoder;
  // BDAT: the chunk being read, and what watches the content of the whole chunked message.
  private ChunkOctets chunk;
  private ChunkContentDecoder chunkContent;
  private boolean discardingLongLine;
  private boolean shuttingDown;
  private ScheduledFuture<?> timer;
  private ChannelHandlerContext ctx;
  private SmtpStage stage = SmtpStage.CONNECT;
  // Shared by the connections of this event loop: see ReadScratch.
  private final Supplier<ReadScratch> scratches;

  SmtpChannelHandler(SmtpSession session, ConnectionInfo wiring, SpoolLane lane, Consumer<QueuedMessage> onQueued,
      TrackingLog tracking, Supplier<Intake> intake, Supplier<ReadScratch> scratches) {
    this.scratches = scratches;
    this.tracking = tracking;
    this.intake = intake;
    this.session = session;
    this.wiring = wiring;
    this.lane = lane;
    this.onQueued = onQueued;
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    ctx = context;
    pending = ctx.alloc().buffer();
    wiring.event("connect from " + wiring.remote() + (wiring.via().isEmpty() ? "" : " via " + wiring.via()));
    Transition t = session.connect(wiring.implicitTls());
    wiring.metrics().connection(wiring.listener(), wiring.connectorName(), !t.closes());
    apply(t);
    ctx.flush();
    rearmTimer();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (state.phase() != Phase.CLOSED) {
        pending.writeBytes(in);
      }
    } finally {
      in.release();
    }
    process();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        SessionTls tls = new SessionTls(ssl.engine().getSession().getProtocol(), ssl.engine().getSession().getCipherSuite());
        wiring.event("TLS established " + tls);
        if (state.phase() == Phase.TLS_HANDSHAKE) { // after STARTTLS
          apply(session.tlsEstablished(state, tls));
          process();
        } else if (state != null && state.phase() != Phase.CLOSED) { // implicit TLS: the session began encrypted
          apply(session.implicitTlsEstablished(state, tls));
        }
      } else {
        wiring.event("TLS handshake failed: " + done.cause());
        ctx.close();
      }
    } else if (evt == ShutdownSignal.INSTANCE) {
      shuttingDown = true;
      closeIfIdleForShutdown();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    cancelTimer();
    lane.abandon();
    if (pending != null) {
      pending.release();
      pending = null;
    }
    wiring.event("disconnect");
    wiring.released();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    LOG.debug("session {}: connection error", wiring.sessionId(), cause);
    wiring.event("connection error: " + cause.getClass().getSimpleName());
    ctx.close();
  }

  /** Works through buffered input as far as the session's phase allows, then flushes replies. */
  private void process() {
    if (pending == null) {
      return;
    }
    boolean progress = true;
    // A chunk of zero octets (BDAT 0 LAST) is complete without any input.
    while (progress && (pending.isReadable() || (state.phase() == Phase.CHUNK && chunk.complete()))) {
      progress = switch (state.phase()) {
        case COMMANDS, AUTH -> readCommand();
        case DATA -> readData();
        case CHUNK -> readChunk();
        case NEW, OPENING, COMMITTING, TLS_HANDSHAKE, CLOSED -> false;
      };
    }
    pending.discardSomeReadBytes();
    ctx.flush();
    updateReading();
    rearmTimer();
  }

  private boolean readCommand() {
    int max = wiring.connector().map(c -> c.limits().maxCommandLine()).orElse(512);
    int start = pending.readerIndex();
    int lf = pending.indexOf(start, pending.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (pending.readableBytes() > max) {
        // Keep discarding up to the line end, then answer once: the session stays in step.
        pending.skipBytes(pending.readableBytes());
        discardingLongLine = true;
      }
      return false;
    }
    int length = lf - start + 1;
    if (discardingLongLine || length > max) {
      pending.skipBytes(length);
      discardingLongLine = false;
      wiring.log(Direction.IN, "<command line over " + max + " octets discarded>");
      apply(session.lineTooLong(state));
      return true;
    }
    int textEnd = lf > start && pending.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    String line = pending.toString(start, textEnd - start, StandardCharsets.UTF_8);
    pending.skipBytes(length);
    if (state.phase() == Phase.AUTH) {
      // A SASL response is a password or carries one, base64 or not: only its presence is logged.
      wiring.log(Direction.IN, "<auth response redacted>");
      apply(session.authResponse(state, line));
      return true;
    }
    wiring.log(Direction.IN, CommandLineText.loggable(line));
    stage = CommandLineText.stage(line);
    apply(session.command(state, line, intake.get()));
    return true;
  }

  private boolean readData() {
    int n = Math.min(SCRATCH, pending.readableBytes());
    ReadScratch buffers = scratches.get();
    byte[] scratch = buffers.raw(n);
    pending.getBytes(pending.readerIndex(), scratch, 0, n);
    ChunkBuffer out = buffers.decoded();
    int used;
    try {
      used = decoder.feed(scratch, 0, n, out);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory sink cannot fail", e);
    }
    pending.skipBytes(used);
    if (out.size() > 0) {
      headers.accept(out.array(), 0, out.size());
      lane.write(out.array(), 0, out.size(), this::laneProgress);
    }
    if (decoder.isFinished()) {
      var summary = decoder.summary();
      decoder = null;
      wiring.log(Direction.IN, "<message content: " + summary.size() + " octets"
          + (summary.bareLineEnding() ? ", bare line endings" : "") + ">");
      stage = SmtpStage.DATA;
      HeaderCapture captured = headers;
      headers = null;
      apply(session.dataEnd(state, summary, captured.section()));
    }
    return true;
  }

  /**
   * Takes what has arrived of the current BDAT chunk, never a byte past it: the octets after the
   * chunk are the next command. Kept octets go to the spool unchanged.
   */
  private boolean readChunk() {
    int n = chunk.take(pending.readableBytes(), SCRATCH);
    if (chunk.keep() && n > 0) {
      byte[] scratch = scratches.get().raw(n);
      pending.getBytes(pending.readerIndex(), scratch, 0, n);
      chunkContent.feed(scratch, 0, n);
      headers.accept(scratch, 0, n);
      lane.write(scratch, 0, n, this::laneProgress);
    }
    pending.skipBytes(n);
    if (!chunk.complete()) {
      return true;
    }
    ChunkOctets done = chunk;
    chunk = null;
    wiring.log(Direction.IN, "<chunk content: " + done.size() + " octets" + (done.keep() ? "" : ", discarded") + ">");
    stage = SmtpStage.DATA;
    if (!done.keep()) {
      apply(session.chunkSkipped(state));
    } else if (!done.last()) {
      apply(session.chunkReceived(state, chunkContent.summary(), HeaderSection.EMPTY));
    } else {
      DataSummary summary = chunkContent.summary();
      HeaderSection section = headers.section();
      chunkContent = null;
      headers = null;
      apply(session.chunkReceived(state, summary, section));
    }
    return true;
  }

  private void apply(Transition t) {
    state = t.next();
    boolean upgrade = t.effects().stream().anyMatch(e -> e instanceof Effect.UpgradeTls);
    if (upgrade) {
      installTls();
    }
    for (SmtpReply reply : t.replies()) {
      write(reply);
    }
    for (Effect effect : t.effects()) {
      switch (effect) {
        case Effect.OpenMessage o -> lane.open(failure -> onLoop(() ->
            apply(failure == null ? session.spoolOpened(state) : session.spoolFailed(state, failure))));
        case Effect.BeginData b -> {
          decoder = b.decoder();
          beginContent(b.headerCapture(), b.receivedHeader());
        }
        case Effect.BeginChunks b -> {
          chunkContent = b.decoder();
          beginContent(b.headerCapture(), b.receivedHeader());
        }
        case Effect.ReceiveChunk r -> chunk = new ChunkOctets(r.size(), r.keep(), r.last());
        case Effect.AbandonMessage a -> {
          lane.abandon();
          chunkContent = null;
          headers = null;
        }
        case Effect.Track tracked -> track(tracked.event());
        case Effect.Commit c -> lane.commit(c.parts(), (queued, failure) -> {
          if (queued != null) {
            wiring.metrics().messageAccepted(wiring.connectorName(), queued.getFirst().bodySize());
            // Routed first, here on the lane's thread: once handed over, a part may be delivered
            // (and its outcome tracked) before the event loop gets to the 250.
            session.routed(queued).forEach(this::track);
            queued.forEach(this::notifyQueued);
          }
          onLoop(() -> apply(queued != null ? session.committed(state, queued) : session.commitFailed(state, failure)));
        });
        case Effect.UpgradeTls u -> {
          // RFC 3207: anything pipelined after STARTTLS was sent in plain text; it must not count.
          if (pending.isReadable()) {
            wiring.event("discarded " + pending.readableBytes() + " octets pipelined after STARTTLS");
            pending.skipBytes(pending.readableBytes());
          }
        }
        case Effect.Close c -> {
          ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
          pending.skipBytes(pending.readableBytes());
        }
      }
    }
    if (shuttingDown) {
      closeIfIdleForShutdown();
    }
  }

  /** The content of a message starts with the Received header, for the rules and the spool alike. */
  private void beginContent(HeaderCapture capture, byte[] received) {
    headers = capture;
    headers.accept(received, 0, received.length);
    lane.write(received, 0, received.length, this::laneProgress);
  }

  private void track(TrackingEvent event) {
    try {
      tracking.record(event);
    } catch (RuntimeException e) {
      LOG.warn("session {}: tracking log failed: {}", wiring.sessionId(), e.toString());
    }
    // Hits are counted from the final decisions only (end of DATA, or the refusal), never twice.
    DecisionTrace trace = switch (event) {
      case TrackingEvent.Received r -> r.trace();
      case TrackingEvent.Rejected r -> r.trace();
      case TrackingEvent.Routed r -> null;
      case TrackingEvent.Discarded d -> null;
      case TrackingEvent.Delivery d -> null;
      case TrackingEvent.Held h -> null;
      case TrackingEvent.DsnQueued n -> null;
      case TrackingEvent.OperatorAction o -> null;
    };
    if (trace != null) {
      trace.hits().forEach(h -> wiring.metrics().ruleHit(h.rule(), h.mode()));
    }
  }

  private void installTls() {
    SslContext context = wiring.tls().orElseThrow();
    // startTls = true: the 220 written next still goes out in plain text.
    SslHandler handler = new SslHandler(context.newEngine(ctx.alloc()), true);
    ctx.pipeline().addFirst("tls", handler);
  }

  private void notifyQueued(QueuedMessage queued) {
    try {
      onQueued.accept(queued);
    } catch (RuntimeException e) {
      // The message is durable; the scheduler finds it again at the next scan.
      LOG.error("session {}: queued-message callback failed for {}", wiring.sessionId(), queued.id(), e);
    }
  }

  private void write(SmtpReply reply) {
    String wire = reply.toWire();
    int from = 0;
    for (int end = wire.indexOf("\r\n"); end >= 0; end = wire.indexOf("\r\n", from)) {
      wiring.log(Direction.OUT, wire.substring(from, end));
      from = end + 2;
    }
    if (reply.code() >= 400) {
      wiring.metrics().messageRejected(stage, reply.code());
    }
    ctx.write(ByteBufUtil.writeUtf8(ctx.alloc(), wire));
  }

  private void closeIfIdleForShutdown() {
    if (state.phase() == Phase.COMMANDS && !state.receivingChunks() && ctx.channel().isActive()) {
      wiring.event("listener shutting down");
      shuttingDown = false;
      apply(session.shutdown(state));
    }
  }

  /**
   * Spool-lane side: a chunk is on disk. Below the low-water mark the loop looks again at whether
   * to read, whatever autoRead says now: the loop may be about to turn reading off on a figure read
   * before this chunk was counted off, and nothing else would turn it on again (a 50 MiB message
   * stalled into the data timeout that way, about once in many runs on a loaded machine).
   */
  private void laneProgress() {
    if (lane.pendingBytes() < LOW_WATER) {
      onLoop(() -> {});
    }
  }

  /**
   * Reads only while the session can use the bytes and the lane keeps up with the disk; while the
   * spool opens or commits, only once input waits (each stop and restart costs an {@code epoll_ctl}).
   */
  private void updateReading() {
    boolean waitingForSpool = (state.phase() == Phase.OPENING || state.phase() == Phase.COMMITTING)
        && pending.isReadable();
    boolean laneBehind = lane.pendingBytes() > (ctx.channel().config().isAutoRead() ? HIGH_WATER : LOW_WATER);
    boolean read = !waitingForSpool && !laneBehind && state.phase() != Phase.CLOSED;
    if (ctx.channel().config().isAutoRead() != read) {
      ctx.channel().config().setAutoRead(read);
    }
  }

  private void onLoop(Runnable action) {
    ctx.executor().execute(() -> {
      if (pending != null) {
        action.run();
        process();
      }
    });
  }

  private void rearmTimer() {
    cancelTimer();
    var limits = wiring.connector().map(InboundConnector::limits);
    if (limits.isEmpty()) {
      return;
    }
    var timeout = switch (state.phase()) {
      case DATA, CHUNK -> limits.get().dataTimeout();
      case COMMANDS, AUTH, TLS_HANDSHAKE -> limits.get().idleTimeout();
      case NEW, OPENING, COMMITTING, CLOSED -> null;
    };
    if (timeout != null) {
      timer = ctx.executor().schedule(() -> {
        if (pending != null && state.phase() != Phase.CLOSED) {
          wiring.event("timeout in " + state.phase());
          apply(session.timeout(state));
          ctx.flush();
        }
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
