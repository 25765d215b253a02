package relay.core.spool;

import java.io.IOException;

/** Free space in the spool is below its configured floor: new mail gets {@code 452 4.3.1}. */
public final class SpoolFullException extends IOException {

  private static final long serialVersionUID = 1L;

  public SpoolFullException(String message) {
    super(message);
  }
}
