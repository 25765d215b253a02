package relay.core.dsn;

import java.time.ZoneId;
import java.util.Objects;
import relay.core.envelope.MailPath;

/**
 * How notifications are addressed and how much of the original they carry.
 *
 * @param reportAddress where every notification goes instead of the envelope sender (for device
 *     senders that cannot receive mail), or null to report to the envelope sender
 * @param returnLimitWhenRequested largest original (bytes) returned whole when the sender asked for
 *     it with {@code RET=FULL}; above it only the header section is returned
 * @param returnLimitByDefault largest original returned whole when the sender gave no {@code RET}
 *     (RFC 3461 section 4.3 leaves that choice to the MTA); above it the header section only
 * @param zone the time zone used in the {@code Date:} and date fields
 */
public record DsnSettings(
    MailPath reportAddress, long returnLimitWhenRequested, long returnLimitByDefault, ZoneId zone) {

  /** Returned whole up to 10 MiB when asked, up to 1 MiB when not asked; times in UTC. */
  public static final DsnSettings DEFAULTS =
      new DsnSettings(null, 10L * 1024 * 1024, 1024L * 1024, ZoneId.of("UTC"));

  public DsnSettings {
    Objects.requireNonNull(zone, "zone");
    if (reportAddress != null && reportAddress.isNull()) {
      throw new IllegalArgumentException("the report address cannot be the null path");
    }
    if (returnLimitWhenRequested < 0 || returnLimitByDefault < 0) {
      throw new IllegalArgumentException("negative return limit");
    }
  }

  public DsnSettings withReportAddress(MailPath address) {
    return new DsnSettings(address, returnLimitWhenRequested, returnLimitByDefault, zone);
  }
}
