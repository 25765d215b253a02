package relay.server.inbound;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The socket layer the listeners run on: Netty's native epoll transport where it loads (Linux on
 * x86-64 or aarch64), else the JDK's NIO selector. Both behave the same to the SMTP session; epoll
 * spends fewer system calls and less CPU per connection (see docs/benchmark.md).
 *
 * <p>Event loops per listener: half the processors, at least one ({@link ProcessorSplit}). On two
 * cores one loop moved about 13 % more messages than Netty's default of two per core, with less CPU
 * per message (fewer threads waking each other).
 *
 * @param name "epoll" or "nio", for the start-up log
 * @param eventLoops threads serving a listener's connections
 */
record NettyTransport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel, int eventLoops) {

  /** The best transport this machine can load. */
  static NettyTransport best() {
    if (Epoll.isAvailable()) {
      return new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, defaultEventLoops());
    }
    return nio();
  }

  /** The JDK's selector-based transport, available everywhere. */
  static NettyTransport nio() {
    return new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, defaultEventLoops());
  }

  private static int defaultEventLoops() {
    return ProcessorSplit.eventLoops(Runtime.getRuntime().availableProcessors());
  }
}
