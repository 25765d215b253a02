package relay.core.session;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import relay.core.envelope.BodyType;
import relay.core.envelope.Domain;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;

/**
 * RFC 5321 command syntax: the one place that turns a command line into a {@link Command}. Verbs
 * are case-insensitive; MAIL and RCPT paths must be in angle brackets (a source route is accepted and
 * ignored); ESMTP parameters are parsed here, once, into typed values. Non-ASCII text is only allowed
 * in addresses of a transaction that declared SMTPUTF8 (RFC 6531).
 *
 * <p>Stateless and thread-safe. {@code <postmaster>} without a domain becomes
 * {@code postmaster@<local domain>}.
 */
public final class CommandParser {

  private final Domain localDomain;

  public CommandParser(Domain localDomain) {
    this.localDomain = localDomain;
  }

  /**
   * Parses one command line.
   *
   * @param line the line without its CRLF
   * @param utf8Transaction whether the current MAIL transaction declared SMTPUTF8 (allows non-ASCII
   *     in RCPT addresses)
   */
  public Command parse(String line, boolean utf8Transaction) {
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String arg = space < 0 ? "" : line.substring(space + 1);
    boolean ascii = line.chars().allMatch(c -> c < 128);
    if (!ascii && verb.equals("BDAT")) {
      return new Command.MalformedBdat();
    }
    if (!ascii && !verb.equals("MAIL") && !verb.equals("RCPT")) {
      return new Command.Invalid(Replies.SYNTAX_ERROR);
    }
    return switch (verb) {
      case "EHLO" -> identity(arg) ? new Command.Ehlo(arg) : new Command.Invalid(Replies.ARGUMENT_SYNTAX);
      case "HELO" -> identity(arg) ? new Command.Helo(arg) : new Command.Invalid(Replies.ARGUMENT_SYNTAX);
      case "MAIL" -> mail(arg);
      case "RCPT" -> rcpt(arg, ascii || utf8Transaction);
      case "DATA" -> noArgument(arg, new Command.Data());
      case "BDAT" -> bdat(arg);
      case "RSET" -> noArgument(arg, new Command.Rset());
      case "QUIT" -> noArgument(arg, new Command.Quit());
      case "STARTTLS" -> noArgument(arg, new Command.StartTls());
      case "AUTH" -> auth(arg);
      case "NOOP" -> new Command.Noop();
      case "HELP" -> new Command.Help();
      case "PROXY" -> new Command.ProxyHeader();
      case "VRFY" -> arg.isBlank() ? new Command.Invalid(Replies.ARGUMENT_SYNTAX) : new Command.Vrfy();
      case "" -> new Command.Invalid(Replies.SYNTAX_ERROR);
      default -> new Command.Unknown(verb);
    };
  }

  private static Command noArgument(String arg, Command command) {
    return arg.isEmpty() ? command : new Command.Invalid(Replies.ARGUMENT_SYNTAX);
  }

  /**
   * BDAT chunk-size [LAST] (RFC 3030 section 3): the size in decimal digits, case-insensitive LAST.
   * Anything else, a size beyond a long included, is malformed: no octet count can be trusted.
   */
  private static Command bdat(String arg) {
    String[] parts = arg.strip().split(" +");
    if (parts.length > 2 || !parts[0].matches("[0-9]+") || (parts.length == 2 && !parts[1].equalsIgnoreCase("LAST"))) {
      return new Command.MalformedBdat();
    }
    try {
      return new Command.Bdat(Long.parseLong(parts[0]), parts.length == 2);
    } catch (NumberFormatException tooLong) {
      return new Command.MalformedBdat();
    }
  }

  /** AUTH mechanism [initial-response]: both plain tokens, nothing more. */
  private static Command auth(String arg) {
    String[] parts = arg.split(" ", -1);
    if (arg.isEmpty() || parts.length > 2 || !parts[0].matches("[A-Za-z0-9_-]{1,20}")
        || (parts.length == 2 && parts[1].isEmpty())) {
      return new Command.Invalid(Replies.ARGUMENT_SYNTAX);
    }
    return new Command.Auth(parts[0].toUpperCase(Locale.ROOT), parts.length == 2 ? parts[1] : null);
  }

  /** EHLO/HELO argument: one token of visible ASCII (a domain or an address literal). */
  private static boolean identity(String arg) {
    return !arg.isEmpty() && arg.length() <= 255 && arg.chars().allMatch(c -> c > 32 && c < 127);
  }

  private Command mail(String arg) {
    if (!arg.regionMatches(true, 0, "FROM:", 0, 5)) {
      return new Command.Invalid(Replies.ARGUMENT_SYNTAX);
    }
    PathAndParameters pp = PathAndParameters.split(arg.substring(5));
    if (pp == null) {
      return new Command.Invalid(Replies.BAD_SENDER_SYNTAX);
    }
    MailParameterParser params = new MailParameterParser();
    SmtpReply refused = params.parse(pp.parameters());
    if (refused != null) {
      return new Command.Invalid(refused);
    }
    if (!pp.ascii() && !params.smtpUtf8) {
      return new Command.Invalid(Replies.NON_ASCII_ADDRESS);
    }
    if (pp.path().isEmpty()) {
      return new Command.Mail(MailPath.NULL, params.result());
    }
    MailPath sender = Addresses.mailbox(pp.path());
    return sender == null
        ? new Command.Invalid(Replies.BAD_SENDER_SYNTAX)
        : new Command.Mail(sender, params.result());
  }

  private Command rcpt(String arg, boolean nonAsciiAllowed) {
    if (!arg.regionMatches(true, 0, "TO:", 0, 3)) {
      return new Command.Invalid(Replies.ARGUMENT_SYNTAX);
    }
    PathAndParameters pp = PathAndParameters.split(arg.substring(3));
    if (pp == null || pp.path().isEmpty()) {
      return new Command.Invalid(Replies.BAD_RECIPIENT_SYNTAX);
    }
    if (!pp.ascii() && !nonAsciiAllowed) {
      return new Command.Invalid(Replies.NON_ASCII_ADDRESS);
    }
    boolean postmaster = pp.path().equalsIgnoreCase("postmaster");
    MailPath address =
        postmaster ? new MailPath("postmaster", localDomain) : Addresses.mailbox(pp.path());
    if (address == null) {
      return new Command.Invalid(Replies.BAD_RECIPIENT_SYNTAX);
    }
    Set<DsnNotify> notify = EnumSet.noneOf(DsnNotify.class);
    String orcpt = null;
    for (String p : pp.parameters()) {
      int eq = p.indexOf('=');
      String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
      String value = eq < 0 ? null : p.substring(eq + 1);
      switch (key) {
        case "NOTIFY" -> {
          if (value == null || !notify.isEmpty() || !parseNotify(value, notify)) {
            return new Command.Invalid(Replies.INVALID_ARGUMENT);
          }
        }
        case "ORCPT" -> {
          if (value == null || orcpt != null || !Xtext.isOriginalRecipient(value)) {
            return new Command.Invalid(Replies.INVALID_ARGUMENT);
          }
          orcpt = value;
        }
        default -> {
          return new Command.Invalid(Replies.UNKNOWN_PARAMETER);
        }
      }
    }
    return new Command.Rcpt(new Recipient(address, notify, orcpt), postmaster);
  }

  private static boolean parseNotify(String value, Set<DsnNotify> into) {
    for (String item : value.split(",", -1)) {
      try {
        into.add(DsnNotify.valueOf(item.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return !(into.contains(DsnNotify.NEVER) && into.size() > 1);
  }

  /** Collects MAIL parameters; each may appear once. Not thread-safe: one instance per line. */
  private static final class MailParameterParser {
    private static final Set<String> KNOWN = Set.of("SIZE", "BODY", "SMTPUTF8", "RET", "ENVID");
    private long size = -1;
    private BodyType body;
    private boolean smtpUtf8;
    private DsnReturn ret;
    private String envid;

    /** Returns null when every parameter is valid, else the refusal. */
    SmtpReply parse(List<String> parameters) {
      for (String p : parameters) {
        int eq = p.indexOf('=');
        String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
        String value = eq < 0 ? null : p.substring(eq + 1);
        if (!KNOWN.contains(key)) {
          return key.matches("[A-Z0-9][A-Z0-9-]*") ? Replies.UNKNOWN_PARAMETER : Replies.INVALID_ARGUMENT;
        }
        if (key.equals("BODY") && "BINARYMIME".equalsIgnoreCase(value)) {
          // A known value Relay does not implement (not advertised: delivery onwards uses DATA,
          // which cannot carry binary content), hence 555 rather than 501 (RFC 5321 4.1.1.11).
          return Replies.UNKNOWN_PARAMETER;
        }
        if (!accept(key, value)) {
          return Replies.INVALID_ARGUMENT;
        }
      }
      return null;
    }

    /** Records one known parameter; false when its value is invalid or it was given twice. */
    private boolean accept(String key, String value) {
      if (key.equals("SMTPUTF8")) {
        boolean first = !smtpUtf8;
        smtpUtf8 = true;
        return first && value == null;
      }
      if (value == null) {
        return false;
      }
      switch (key) {
        case "SIZE" -> {
          if (size >= 0 || !value.matches("[0-9]{1,18}")) {
            return false;
          }
          size = Long.parseLong(value);
        }
        case "BODY" -> {
          if (body != null) {
            return false;
          }
          body = bodyType(value);
          return body != null;
        }
        case "RET" -> {
          if (ret != null) {
            return false;
          }
          ret = dsnReturn(value);
          return ret != null;
        }
        case "ENVID" -> {
          if (envid != null || !Xtext.isXtext(value)) {
            return false;
          }
          envid = value;
        }
        default -> throw new IllegalArgumentException(key);
      }
      return true;
    }

    MailParameters result() {
      return new MailParameters(size, body == null ? BodyType.SEVEN_BIT : body, smtpUtf8, ret, envid);
    }

    private static BodyType bodyType(String v) {
      return switch (v.toUpperCase(Locale.ROOT)) {
        case "7BIT" -> BodyType.SEVEN_BIT;
        case "8BITMIME" -> BodyType.EIGHT_BIT_MIME;
        default -> null;
      };
    }

    private static DsnReturn dsnReturn(String v) {
      return switch (v.toUpperCase(Locale.ROOT)) {
        case "FULL" -> DsnReturn.FULL;
        case "HDRS" -> DsnReturn.HDRS;
        default -> null;
      };
    }
  }
}
