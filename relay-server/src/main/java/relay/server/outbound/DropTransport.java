package relay.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;

/**
 * Delivers into a drop folder: {@code <id>.envelope} (see {@link EnvelopeFile}) and then
 * {@code <id>.eml} (the spooled bytes unchanged). Each file is written under a hidden temporary name,
 * forced to disk, renamed into place and the folder forced, so a reader that waits for the
 * {@code .eml} never sees a half-written file and finds its envelope already there. Delivering the
 * same message again replaces both files. All recipients are delivered together
 * ({@link LocalCause#FOLDER_WRITTEN}), or all get a transient failure when the folder cannot be
 * written ({@link LocalCause#LOCAL_ERROR}). No reply, no hop: nothing upstream answers here.
 *
 * <p>A request that {@linkplain DeliveryRequest#requireTls() requires TLS} is accepted like any
 * other: a drop folder is local storage, there is no onward network hop to encrypt (whatever picks
 * the files up is responsible for its own transport).
 *
 * <p>Threading: safe for concurrent use (each message has its own file names); blocks on disk I/O.
 */
public final class DropTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(DropTransport.class);

  private final OutboundConnector.Drop connector;

  public DropTransport(OutboundConnector.Drop connector) {
    this.connector = connector;
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) {
    Path dir = connector.directory();
    String id = request.id().value();
    try {
      Files.createDirectories(dir);
      byte[] envelope = EnvelopeFile.render(request).getBytes(StandardCharsets.UTF_8);
      writeAtomically(dir, id + ".envelope", out -> out.write(envelope));
      // The envelope's rename must be durable before the .eml that readers wait for appears.
      forceDirectory(dir);
      writeAtomically(dir, id + ".eml", out -> {
        try (InputStream in = request.body().open()) {
          in.transferTo(out);
        }
      });
      forceDirectory(dir);
    } catch (IOException e) {
      log.warn("connector '{}': cannot write message {} to {}", connector.name(), id, dir, e);
      AttemptReport report = new AttemptReport.Local(LocalCause.LOCAL_ERROR, "drop folder not writable: " + e.getMessage());
      return request.recipients().stream()
          .<RecipientOutcome>map(r -> new RecipientOutcome.TransientFailure(r, report))
          .toList();
    }
    AttemptReport report = new AttemptReport.Local(LocalCause.FOLDER_WRITTEN, "written to drop folder as " + id + ".eml");
    return request.recipients().stream().<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, report)).toList();
  }

  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private static void writeAtomically(Path dir, String name, Content content) throws IOException {
    Path temp = dir.resolve("." + name + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = Channels.newOutputStream(channel);
      content.writeTo(out);
      out.flush();
      channel.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
