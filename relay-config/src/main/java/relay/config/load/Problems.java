package relay.config.load;

import com.typesafe.config.ConfigOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects problems while the tree is bound, so that one run reports all of them. Binders compare
 * {@link #count()} before and after reading a section to know whether its values are usable.
 *
 * <p>Not thread-safe: one instance per load, used by one thread.
 */
final class Problems {

  private final List<ConfigProblem> found = new ArrayList<>();

  void add(ConfigOrigin origin, String path, String message, String hint) {
    Place place = Place.of(origin);
    found.add(new ConfigProblem(place.file(), place.line(), path, message, hint));
  }

  void add(ConfigOrigin origin, String path, String message) {
    add(origin, path, message, "");
  }

  void add(ConfigProblem problem) {
    found.add(problem);
  }

  int count() {
    return found.size();
  }

  /** The problems ordered by file, line and path, so reports are stable whatever the map order. */
  List<ConfigProblem> sorted() {
    return found.stream()
        .sorted(Comparator.comparing(ConfigProblem::file)
            .thenComparingInt(ConfigProblem::line)
            .thenComparing(ConfigProblem::path)
            .thenComparing(ConfigProblem::message))
        .toList();
  }
}
