package relay.config.load;

import com.typesafe.config.ConfigOrigin;

/**
 * File and line of a config value, taken from Typesafe's {@link ConfigOrigin}.
 *
 * <p>An object that Typesafe merged from the user file and the embedded default has no line of its
 * own, only a description {@code merge of relay.conf: 4,relay-defaults.conf: 30}; the first part
 * is the side that won (the user file), so that is where the operator should look.
 */
record Place(String file, int line) {

  private static final String MERGE = "merge of ";

  static Place of(ConfigOrigin origin) {
    if (origin.lineNumber() > 0 && origin.filename() != null) {
      return new Place(origin.filename(), origin.lineNumber());
    }
    if (origin.lineNumber() > 0 && origin.resource() != null) {
      return new Place(origin.resource(), origin.lineNumber());
    }
    String description = origin.description();
    if (description.startsWith(MERGE)) {
      return parse(description.substring(MERGE.length()).split(",", 2)[0]);
    }
    return parse(description);
  }

  /** {@code file: 12} or a bare description. */
  private static Place parse(String description) {
    int colon = description.lastIndexOf(": ");
    if (colon > 0) {
      try {
        return new Place(description.substring(0, colon), Integer.parseInt(description.substring(colon + 2)));
      } catch (NumberFormatException e) {
        // not "file: line" after all: fall through to the whole description
      }
    }
    return new Place(description, -1);
  }
}
