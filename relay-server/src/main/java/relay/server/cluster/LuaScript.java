package relay.server.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One server-side script of the shared store, run by its SHA-1 digest and sent whole only when the
 * server does not know it (a restarted Redis forgets its scripts). Each script is one atomic
 * decision: no other client's command runs between its reads and its writes.
 *
 * <p>Immutable; thread-safe.
 */
record LuaScript(String name, String text, String sha) {

  LuaScript {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sha, "sha");
  }

  /** The script {@code relay/server/cluster/NAME.lua} from the class path. */
  static LuaScript load(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("script " + name + ".lua is missing from the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return new LuaScript(name, text, HexFormat.of().formatHex(digest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** Runs the script; throws Lettuce's {@code RedisException} when the server cannot be asked. */
  List<Object> run(RedisCommands<String, String> redis, String[] keys, String[] args) {
    try {
      return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.eval(text, ScriptOutputType.MULTI, keys, args);
    }
  }

  /** Runs a script that answers one number. */
  long runForNumber(RedisCommands<String, String> redis, String[] keys, String[] args) {
    try {
      Long answer = redis.evalsha(sha, ScriptOutputType.INTEGER, keys, args);
      return answer;
    } catch (RedisNoScriptException e) {
      Long answer = redis.eval(text, ScriptOutputType.INTEGER, keys, args);
      return answer;
    }
  }
}
