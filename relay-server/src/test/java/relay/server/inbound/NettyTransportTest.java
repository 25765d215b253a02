package relay.server.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The listener's socket layer: native epoll where Netty ships it, NIO everywhere else. */
class NettyTransportTest {

  @Test
  void linuxOnX86OrArmGetsTheNativeEpollTransport() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")), "native epoll is shipped for Linux x86-64 and aarch64 only");

    NettyTransport transport = NettyTransport.best();

    assertThat(transport.name()).as("the epoll native library must load from the bundled jar").isEqualTo("epoll");
  }

  @Test
  void nioIsAlwaysThere() {
    assertThat(NettyTransport.nio().name()).isEqualTo("nio");
  }
}
