package relay.core.spool;

import java.io.IOException;

/**
 * A spool file cannot be trusted: torn, truncated, bad checksum, unknown magic or format version, or
 * content that does not decode. Such a file is quarantined and never delivered.
 */
final class CorruptRecordException extends IOException {

  private static final long serialVersionUID = 1L;

  CorruptRecordException(String message) {
    super(message);
  }

  CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
