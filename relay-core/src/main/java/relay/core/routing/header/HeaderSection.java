package relay.core.routing.header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The header section of a message (RFC 5322 section 2.2), read from the first bytes of the message
 * up to the blank line: fields in order, unfolded for lookups, original text kept for writing back.
 *
 * <p>Text is decoded as UTF-8 when the bytes are valid UTF-8 (RFC 6532 headers), else as ISO-8859-1,
 * which maps every byte to one char; {@link #toBytes()} encodes with the same charset, so untouched
 * fields come back byte for byte. Bare LF line ends are accepted as well as CRLF.
 *
 * <p>Invariant: {@code length} is the number of bytes of the message the section occupies,
 * including the blank line when {@code complete}; the body starts there. Immutable and thread-safe.
 *
 * @param fields the fields in message order
 * @param length bytes consumed from the start of the message
 * @param complete whether the blank line ending the section was seen
 * @param charset the charset the bytes were decoded with
 */
public record HeaderSection(List<HeaderField> fields, int length, boolean complete, Charset charset) {

  public static final HeaderSection EMPTY = new HeaderSection(List.of(), 0, true, StandardCharsets.UTF_8);

  public HeaderSection {
    fields = List.copyOf(fields);
    Objects.requireNonNull(charset, "charset");
  }

  /** Reads the header section at the start of {@code message} (which may be only a prefix of it). */
  public static HeaderSection parse(byte[] message) {
    int end = headerEnd(message);
    boolean complete = end >= 0;
    int length = complete ? end : message.length;
    byte[] head = Arrays.copyOf(message, length);
    Charset charset = isUtf8(head) ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    String text = new String(head, charset);
    List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    while (!lines.isEmpty() && lines.getLast().isEmpty()) {
      lines.removeLast(); // the blank line and the split's trailing empty string
    }
    List<HeaderField> fields = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (String line : lines) {
      boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
      if (!continuation && !current.isEmpty()) {
        fields.add(field(current));
        current.clear();
      }
      current.add(line);
    }
    if (!current.isEmpty()) {
      fields.add(field(current));
    }
    return new HeaderSection(fields, length, complete, charset);
  }

  /** Unfolding (RFC 5322 section 2.2.3): the line breaks go, the white space after them stays. */
  private static HeaderField field(List<String> lines) {
    String raw = String.join("\r\n", lines);
    String unfolded = String.join("", lines);
    int colon = unfolded.indexOf(':');
    String name = colon > 0 ? unfolded.substring(0, colon) : "";
    if (name.chars().anyMatch(c -> c <= 32 || c >= 127)) {
      name = ""; // not a field name: kept as text, never matched
    }
    String value = name.isEmpty() ? "" : unfolded.substring(colon + 1).strip();
    return new HeaderField(name, value, raw);
  }

  /** Offset just past the blank line ending the header section, or -1 when it is not in the bytes. */
  private static int headerEnd(byte[] b) {
    if (b.length > 0 && b[0] == '\n') {
      return 1;
    }
    if (b.length > 1 && b[0] == '\r' && b[1] == '\n') {
      return 2;
    }
    for (int i = 0; i < b.length; i++) {
      if (b[i] != '\n') {
        continue;
      }
      if (i + 1 < b.length && b[i + 1] == '\n') {
        return i + 2;
      }
      if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
        return i + 3;
      }
    }
    return -1;
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The unfolded values of every field with that name, in order. */
  public List<String> values(String name) {
    return fields.stream().filter(f -> f.is(name)).map(HeaderField::value).toList();
  }

  /** The value of the first field with that name. */
  public Optional<String> first(String name) {
    return fields.stream().filter(f -> f.is(name)).map(HeaderField::value).findFirst();
  }

  /** The subject with RFC 2047 encoded-words decoded; empty string when there is none. */
  public String subject() {
    return first("Subject").map(EncodedWords::decode).orElse("");
  }

  /** The values of a field with encoded-words decoded, for conditions on headers. */
  public List<String> decodedValues(String name) {
    return values(name).stream().map(EncodedWords::decode).toList();
  }

  /**
   * A new section with the edits applied in order. Added fields go to the top: DKIM verifiers take
   * signed fields from the bottom up, so a field put on top cannot displace a signed one.
   */
  public HeaderSection apply(List<HeaderEdit> edits) {
    List<HeaderField> out = new ArrayList<>(fields);
    for (HeaderEdit edit : edits) {
      switch (edit) {
        case HeaderEdit.Add a -> out.addFirst(HeaderField.of(a.name(), a.value()));
        case HeaderEdit.Set s -> replace(out, s.name(), HeaderField.of(s.name(), s.value()));
        case HeaderEdit.Remove r -> out.removeIf(f -> f.is(r.name()));
        case HeaderEdit.PrependSubject p -> prependSubject(out, p.prefix());
      }
    }
    return new HeaderSection(out, length, complete, charset);
  }

  private static void replace(List<HeaderField> fields, String name, HeaderField replacement) {
    int at = -1;
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).is(name)) {
        at = at < 0 ? i : at;
      }
    }
    fields.removeIf(f -> f.is(name));
    fields.add(at < 0 ? 0 : at, replacement);
  }

  private static void prependSubject(List<HeaderField> fields, String prefix) {
    Optional<HeaderField> subject = fields.stream().filter(f -> f.is("Subject")).findFirst();
    String old = subject.map(HeaderField::value).orElse("");
    if (EncodedWords.decode(old).regionMatches(true, 0, prefix, 0, prefix.length())) {
      return; // already tagged, e.g. a message passing through twice
    }
    String name = subject.map(HeaderField::name).orElse("Subject");
    replace(fields, "Subject", HeaderField.of(name, old.isEmpty() ? prefix.strip() : prefix + old));
  }

  /** The fields as text, each ending in CRLF, without the blank line. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (HeaderField f : fields) {
      out.append(f.raw()).append("\r\n");
    }
    return out.toString();
  }

  /** {@link #text()} encoded with the charset the section was read with. */
  public byte[] toBytes() {
    return text().getBytes(charset);
  }
}
