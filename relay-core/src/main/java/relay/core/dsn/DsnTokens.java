package relay.core.dsn;

import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The source of unique, unguessable tokens for the {@code Message-ID} and the MIME boundary of a
 * notification. Injected so that tests can make the output byte-for-byte reproducible.
 *
 * <p>Invariant: each token is 1..40 characters of letters, digits, {@code .} and {@code -} (safe in
 * a msg-id and a boundary). Implementations must be safe for use from several threads if the
 * builder is shared.
 */
@FunctionalInterface
public interface DsnTokens {

  String next();

  /** Random 128-bit tokens in hex, from the given generator (e.g. a {@code SecureRandom}). */
  static DsnTokens random(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return () -> {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      return HexFormat.of().formatHex(bytes);
    };
  }
}
