package relay.core.spool;

import java.io.IOException;
import java.io.InputStream;

/**
 * Read access to the content of a spooled message: canonical CRLF line endings, not dot-stuffed,
 * exactly as it is to be sent onward. Each {@link #open()} returns a fresh stream from the start.
 */
public interface MessageBody {

  long size();

  InputStream open() throws IOException;
}
