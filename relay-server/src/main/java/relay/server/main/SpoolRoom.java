package relay.server.main;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import relay.core.spool.FreeSpace;
import relay.server.health.CheckResult;

/**
 * The spool's part of readiness: its directory is writable and the file store holding it has at
 * least the configured free space ({@code relay.spool.min-free-space}, the floor below which new mail
 * gets {@code 452}). Reads the free space afresh on each call rather than asking {@code
 * Spool.admitsNewMessage()}, which remembers the reading taken when mail last arrived: a relay taken
 * out of rotation for a full disk gets no mail, and would never see the disk freed.
 *
 * <p>Thread-safe: stateless apart from its settings.
 */
final class SpoolRoom implements Supplier<CheckResult> {

  private final Path directory;
  private final long minFreeBytes;
  private final FreeSpace freeSpace;

  SpoolRoom(Path directory, long minFreeBytes, FreeSpace freeSpace) {
    this.directory = directory;
    this.minFreeBytes = minFreeBytes;
    this.freeSpace = freeSpace;
  }

  @Override
  public CheckResult get() {
    if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
      return CheckResult.failed(directory + " is not a writable directory");
    }
    try {
      long free = freeSpace.usableBytes();
      return free < minFreeBytes
          ? CheckResult.failed("free space " + free + " bytes is below the floor of " + minFreeBytes + " bytes")
          : CheckResult.ok();
    } catch (IOException e) {
      return CheckResult.failed("free space unknown: " + e);
    }
  }
}
