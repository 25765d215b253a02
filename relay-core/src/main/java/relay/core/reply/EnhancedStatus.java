package relay.core.reply;

/**
 * An RFC 3463 enhanced status code {@code class.subject.detail}, e.g. {@code 5.7.1}.
 *
 * <p>Invariant: class is 2, 4 or 5; subject 0..999; detail 0..999.
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

  public EnhancedStatus {
    if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
      throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5: " + statusClass);
    }
    if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
      throw new IllegalArgumentException("enhanced status out of range");
    }
  }

  /** Parses {@code "5.7.1"}; throws {@link IllegalArgumentException} otherwise. */
  public static EnhancedStatus parse(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not an enhanced status code: " + text);
    }
    try {
      return new EnhancedStatus(
          Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an enhanced status code: " + text, e);
    }
  }

  @Override
  public String toString() {
    return statusClass + "." + subject + "." + detail;
  }
}
