package relay.server.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import relay.core.connector.Secret;

/**
 * The admin token for commands on the relay's own host ({@code relay queue}): a fresh random token
 * at every start, written to {@code <home>/admin.token} readable by the relay's user only. Whoever
 * can read it can already read the spool, so it gives nothing away; nobody has to configure a
 * token to operate a relay from its own host, and no token outlives the run that made it.
 */
public final class LocalToken {

  /** How the audit log names the holder of the local token. */
  public static final String NAME = "local";
  /** The file's name in the relay's home. */
  public static final String FILE = "admin.token";

  private LocalToken() {}

  /** Makes a new token and writes it, replacing the last run's (atomically, never world-readable). */
  public static Secret create(Path home, SecureRandom random) throws IOException {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path temp = Files.createTempFile(home, ".admin-token", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII);
      Files.move(temp, home.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return new Secret("file:" + home.resolve(FILE), token);
  }
}
