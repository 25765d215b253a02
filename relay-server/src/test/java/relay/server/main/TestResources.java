package relay.server.main;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test started (relays, upstreams, clients), closed in reverse order after it: register it
 * with {@code @RegisterExtension} and wrap each resource in {@link #track}.
 */
final class TestResources implements AutoCloseable, AfterEachCallback {

  private final List<AutoCloseable> started = new ArrayList<>();

  <T extends AutoCloseable> T track(T resource) {
    started.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : started.reversed()) {
      c.close();
    }
    started.clear();
  }
}
