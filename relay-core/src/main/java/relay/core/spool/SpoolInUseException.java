package relay.core.spool;

import java.io.IOException;
import java.nio.file.Path;

/** The spool is locked by a running relay (or another tool): what needs it alone must wait. */
public final class SpoolInUseException extends IOException {

  public SpoolInUseException(Path root) {
    super("the spool " + root + " is in use (a relay or another 'relay queue export/import' runs on it): stop it first");
  }
}
