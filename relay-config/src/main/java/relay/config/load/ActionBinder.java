package relay.config.load;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import relay.core.envelope.MailPath;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderEdit;
import relay.core.routing.rule.Action;

/**
 * Binds a rule's {@code actions { ... }} object into {@link Action}s. A HOCON object has no key
 * order, so the actions come out in one fixed, documented order: reject, discard, redirect-to,
 * rewrite-sender, route-via, require-tls, add-bcc, then the header edits (remove-header, set-header,
 * add-header, prepend-subject), which apply in that order.
 *
 * <p>Stateless; problems go to the section's collector.
 */
final class ActionBinder {

  /** Used when a reject names no text: bland, as every reply to a peer. */
  static final String REJECT_TEXT = "Delivery not authorized, message refused";

  private ActionBinder() {}

  /** The actions in the fixed order; an action with a problem is left out (problem recorded). */
  static List<Action> bind(Section s) {
    List<Action> out = new ArrayList<>();
    s.section("reject").flatMap(ActionBinder::reject).ifPresent(out::add);
    if (s.flag("discard").orElse(false)) {
      out.add(new Action.Discard());
    }
    address(s, "redirect-to").ifPresent(a -> out.add(new Action.RedirectTo(a)));
    address(s, "rewrite-sender").ifPresent(a -> out.add(new Action.RewriteSender(a)));
    s.text("route-via").ifPresent(c -> out.add(new Action.RouteVia(c)));
    if (s.flag("require-tls").orElse(false)) {
      out.add(new Action.RequireTls());
    }
    strings(s, "add-bcc").forEach(a -> address(s, "add-bcc", a).ifPresent(p -> out.add(new Action.AddBcc(p))));
    strings(s, "remove-header").forEach(n -> edit(s, "remove-header", () -> new HeaderEdit.Remove(n)).ifPresent(out::add));
    fields(s, "set-header", HeaderEdit.Set::new).forEach(out::add);
    fields(s, "add-header", HeaderEdit.Add::new).forEach(out::add);
    s.value("prepend-subject").ifPresent(v -> {
      // not stripped: the space in "[EXTERNAL] " is part of the prefix
      if (v.valueType() == ConfigValueType.STRING && !((String) v.unwrapped()).isBlank()) {
        edit(s, "prepend-subject", () -> new HeaderEdit.PrependSubject((String) v.unwrapped())).ifPresent(out::add);
      } else {
        s.problem("prepend-subject", "expected a non-empty string, found " + Section.describe(v), "e.g. \"[EXTERNAL] \"");
      }
    });
    s.finish();
    return out;
  }

  private static Optional<Action> reject(Section r) {
    int before = r.problems().count();
    r.require("code", "status");
    Optional<Integer> code = r.integer("code", 400, 599);
    Optional<String> status = r.text("status");
    String text = r.text("text").orElse(REJECT_TEXT);
    r.finish();
    if (r.problems().count() > before) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Action.Reject(SmtpReply.of(code.orElseThrow(), status.orElseThrow(), text)));
    } catch (IllegalArgumentException e) {
      r.problem("status", e.getMessage(),
          "the status class is the code's first digit: 4.x.x with 4yz (try again later), 5.x.x with 5yz (refused)");
      return Optional.empty();
    }
  }

  private static Optional<MailPath> address(Section s, String key) {
    return s.text(key).flatMap(a -> address(s, key, a));
  }

  private static Optional<MailPath> address(Section s, String key, String text) {
    try {
      MailPath path = MailPath.parse(text);
      if (!path.isNull()) {
        return Optional.of(path);
      }
    } catch (IllegalArgumentException e) {
      // reported below, with the value
    }
    s.problem(key, "'" + text + "' is not a mailbox address", "e.g. journal@contoso.com");
    return Optional.empty();
  }

  /** A string or a list of strings. */
  private static List<String> strings(Section s, String key) {
    Optional<ConfigValue> value = s.value(key);
    if (value.isPresent() && value.get().valueType() == ConfigValueType.LIST) {
      return s.texts(key).orElse(List.of());
    }
    return s.text(key).map(List::of).orElse(List.of());
  }

  /** {@code { name, value }} or a list of them. */
  private static List<Action> fields(Section s, String key, BiFunction<String, String, HeaderEdit> make) {
    List<Section> objects = new ArrayList<>();
    s.value(key).ifPresent(v -> {
      if (v.valueType() == ConfigValueType.LIST) {
        List<ConfigValue> list = s.list(key).orElse(List.of());
        for (int i = 0; i < list.size(); i++) {
          Section.of(list.get(i), s.pathOf(key) + "[" + i + "]", s.problems()).ifPresent(objects::add);
        }
      } else {
        s.section(key).ifPresent(objects::add);
      }
    });
    List<Action> out = new ArrayList<>();
    for (Section f : objects) {
      f.require("name", "value");
      Optional<String> name = f.text("name");
      Optional<String> value = f.text("value");
      f.finish();
      if (name.isPresent() && value.isPresent()) {
        edit(f, "name", () -> make.apply(name.get(), value.get())).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<Action> edit(Section s, String key, Supplier<HeaderEdit> make) {
    try {
      return Optional.of(new Action.EditHeader(make.get()));
    } catch (IllegalArgumentException e) {
      s.problem(key, e.getMessage(), "field names are printable ASCII without ':'; values are one line");
      return Optional.empty();
    }
  }
}
