package relay.config.load;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A typed, strict reader over one HOCON object of the resolved tree, remembering which keys were
 * asked for so that {@link #finish()} can report the rest as unknown.
 *
 * <p>Every reader returns empty when the key is absent or null (no problem recorded) or when the
 * value is wrong (a problem is recorded at the value's file and line). Unlike Typesafe's own
 * getters, a quoted string is never taken for a number or a boolean, except for values substituted
 * from the environment, which can only be strings.
 *
 * <p>Not thread-safe; one instance per object per load.
 */
final class Section {

  /** Origin description of values substituted from the environment map. */
  static final String ENVIRONMENT = "environment";

  private final ConfigObject object;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();
  private final Map<String, String> foreign = new HashMap<>();

  Section(ConfigObject object, String path, Problems problems) {
    this.object = object;
    this.path = path;
    this.problems = problems;
  }

  /** The value as a section, or a problem when it is not an object. */
  static Optional<Section> of(ConfigValue value, String path, Problems problems) {
    if (value.valueType() != ConfigValueType.OBJECT) {
      problems.add(value.origin(), path, "expected an object { ... }, found " + describe(value));
      return Optional.empty();
    }
    return Optional.of(new Section((ConfigObject) value, path, problems));
  }

  String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  ConfigOrigin origin() {
    return object.origin();
  }

  Problems problems() {
    return problems;
  }

  /** Records a problem for each of the keys that is absent or null. */
  void require(String... keys) {
    for (String key : keys) {
      if (value(key).isEmpty()) {
        problems.add(origin(), pathOf(key), "is required but missing");
      }
    }
  }

  /** Records a problem against the key's value (or this section when the key is absent). */
  void problem(String key, String message, String hint) {
    ConfigOrigin at = value(key).map(ConfigValue::origin).orElse(origin());
    problems.add(at, pathOf(key), message, hint);
  }

  /** Marks a key that is valid only in another variant of this object (e.g. another connector type). */
  void foreign(String key, String hint) {
    foreign.put(key, hint);
  }

  Optional<ConfigValue> value(String key) {
    known.add(key);
    ConfigValue v = object.get(key);
    return v == null || v.valueType() == ConfigValueType.NULL ? Optional.empty() : Optional.of(v);
  }

  Optional<String> text(String key) {
    return value(key).flatMap(v -> text(v, pathOf(key)));
  }

  Optional<String> text(ConfigValue v, String at) {
    if (v.valueType() != ConfigValueType.STRING) {
      problems.add(v.origin(), at, "expected a string, found " + describe(v), "put it in double quotes");
      return Optional.empty();
    }
    String s = (String) v.unwrapped();
    if (s.isBlank()) {
      problems.add(v.origin(), at, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(s.strip());
  }

  /** A list of non-empty strings; each bad element is its own problem. */
  Optional<List<String>> texts(String key) {
    return list(key).map(values -> {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        text(values.get(i), pathOf(key) + "[" + i + "]").ifPresent(out::add);
      }
      return out;
    });
  }

  Optional<List<ConfigValue>> list(String key) {
    return value(key).flatMap(v -> {
      if (v.valueType() != ConfigValueType.LIST) {
        problems.add(v.origin(), pathOf(key), "expected a list [ ... ], found " + describe(v));
        return Optional.empty();
      }
      return Optional.of(List.copyOf((ConfigList) v));
    });
  }

  Optional<Section> section(String key) {
    return value(key).flatMap(v -> of(v, pathOf(key), problems));
  }

  Optional<Integer> port(String key) {
    return whole(key).flatMap(n -> {
      if (n < 1 || n > 65535) {
        problem(key, n + " is not a port (1..65535)", "");
        return Optional.empty();
      }
      return Optional.of(n.intValue());
    });
  }

  Optional<Integer> integer(String key, int min, int max) {
    return whole(key).flatMap(n -> {
      if (n < min || n > max) {
        problem(key, n + " is out of range (" + min + ".." + max + ")", "");
        return Optional.empty();
      }
      return Optional.of(n.intValue());
    });
  }

  Optional<Double> decimal(String key, double min, double max) {
    return value(key).flatMap(v -> number(v, key)).flatMap(n -> {
      double d = n.doubleValue();
      if (!(d >= min && d <= max)) {
        problem(key, n + " is out of range (" + min + ".." + max + ")", "");
        return Optional.empty();
      }
      return Optional.of(d);
    });
  }

  Optional<Boolean> flag(String key) {
    return value(key).flatMap(v -> {
      if (v.valueType() == ConfigValueType.BOOLEAN) {
        return Optional.of((Boolean) v.unwrapped());
      }
      if (fromEnvironment(v) && ("true".equals(v.unwrapped()) || "false".equals(v.unwrapped()))) {
        return Optional.of(Boolean.valueOf((String) v.unwrapped()));
      }
      problem(key, "expected true or false, found " + describe(v), "");
      return Optional.empty();
    });
  }

  /** A size with Typesafe's units ({@code 50MiB}, {@code 64KiB}, plain octets); must be positive. */
  Optional<Long> bytes(String key) {
    return value(key).flatMap(v -> {
      try {
        long n = ConfigFactory.empty().withValue("v", v).getBytes("v");
        if (n > 0) {
          return Optional.of(n);
        }
        problem(key, render(v) + " is not a positive size", "");
      } catch (ConfigException e) {
        problem(key, render(v) + " is not a size", "a number with a unit, e.g. 64KiB, 50MiB, 1GiB");
      }
      return Optional.empty();
    });
  }

  /** A duration with Typesafe's units ({@code 30s}, {@code 5m}, {@code 2d}); must be positive. */
  Optional<Duration> duration(String key) {
    return duration(key, false);
  }

  /** A duration that may also be zero (a setting that zero turns off). */
  Optional<Duration> durationOrZero(String key) {
    return duration(key, true);
  }

  private Optional<Duration> duration(String key, boolean zeroAllowed) {
    return value(key).flatMap(v -> {
      try {
        Duration d = ConfigFactory.empty().withValue("v", v).getDuration("v");
        if (d.isPositive() || (zeroAllowed && d.isZero())) {
          return Optional.of(d);
        }
        problem(key, render(v) + (zeroAllowed ? " is negative" : " is not a positive duration"), "");
      } catch (ConfigException e) {
        problem(key, render(v) + " is not a duration", "a number with a unit, e.g. 30s, 5m, 1h, 2d");
      }
      return Optional.empty();
    });
  }

  /**
   * One of an enum's constants, written in lower case with hyphens ({@code SMART_HOST} is
   * {@code smart-host}); the problem lists every allowed word.
   */
  <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
    return text(key).flatMap(s -> {
      List<String> words = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        String word = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (word.equals(s)) {
          return Optional.of(e);
        }
        words.add(word);
      }
      problem(key, "'" + s + "' is not one of " + String.join(", ", words), "");
      return Optional.empty();
    });
  }

  /** Reports every key that no reader asked for, with the nearest known key as a hint. */
  void finish() {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String key = e.getKey();
      if (known.contains(key)) {
        continue;
      }
      String hint = foreign.containsKey(key)
          ? foreign.get(key)
          : NearestKey.among(key, known)
              .map(k -> "did you mean '" + k + "'?")
              .orElse("known keys: " + String.join(", ", known.stream().sorted().toList()));
      problems.add(e.getValue().origin(), pathOf(key), "unknown key", hint);
    }
  }

  private Optional<Long> whole(String key) {
    return value(key).flatMap(v -> number(v, key)).flatMap(n -> {
      double d = n.doubleValue();
      if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE / 2.0) {
        problem(key, "expected a whole number, found " + n, "");
        return Optional.empty();
      }
      return Optional.of(n.longValue());
    });
  }

  private Optional<Number> number(ConfigValue v, String key) {
    if (v.valueType() == ConfigValueType.NUMBER) {
      return Optional.of((Number) v.unwrapped());
    }
    if (v.valueType() == ConfigValueType.STRING) {
      String s = ((String) v.unwrapped()).strip();
      boolean numeric = s.matches("-?\\d+(\\.\\d+)?");
      if (numeric && fromEnvironment(v)) {
        return Optional.of(s.contains(".") ? (Number) Double.valueOf(s) : (Number) Long.valueOf(s));
      }
      problem(key, "expected a number, found " + describe(v), numeric ? "remove the quotes" : "");
      return Optional.empty();
    }
    problem(key, "expected a number, found " + describe(v), "");
    return Optional.empty();
  }

  private static boolean fromEnvironment(ConfigValue v) {
    return ENVIRONMENT.equals(v.origin().description());
  }

  private static String render(ConfigValue v) {
    return v.valueType() == ConfigValueType.STRING ? "'" + v.unwrapped() + "'" : v.render();
  }

  static String describe(ConfigValue v) {
    return switch (v.valueType()) {
      case STRING -> "string '" + v.unwrapped() + "'";
      case NUMBER -> "number " + v.render();
      case BOOLEAN -> "boolean " + v.render();
      case LIST -> "a list";
      case OBJECT -> "an object";
      case NULL -> "null";
    };
  }
}
