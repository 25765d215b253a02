package relay.server.main;

import java.util.ArrayList;
import java.util.List;

/** What a test started (relays, upstreams, clients), closed in reverse order after it. */
final class TestResources implements AutoCloseable {

  private final List<AutoCloseable> started = new ArrayList<>();

  <T extends AutoCloseable> T track(T resource) {
    started.add(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : started.reversed()) {
      c.close();
    }
    started.clear();
  }
}
