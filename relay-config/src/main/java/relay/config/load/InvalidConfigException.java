package relay.config.load;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration could not be bound: carries every problem found, not just the first, in file
 * and line order. The message lists them one per line, ready to print for an operator.
 */
public final class InvalidConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public InvalidConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid configuration has at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in file and line order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    String noun = problems.size() == 1 ? "problem" : "problems";
    return problems.size() + " configuration " + noun + ":\n"
        + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
