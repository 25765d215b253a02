package relay.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.envelope.BodyType;
import relay.core.envelope.Domain;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.MailPath;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;

class CommandParserTest {

  private final CommandParser parser = new CommandParser(Domain.of("relay.example"));

  private Command parse(String line) {
    return parser.parse(line, false);
  }

  private SmtpReply refusal(String line) {
    assertThat(parse(line)).isInstanceOf(Command.Invalid.class);
    return ((Command.Invalid) parse(line)).reply();
  }

  @ParameterizedTest
  @CsvSource({
    "DATA, Data", "data, Data", "RSET, Rset", "NOOP, Noop", "noop anything, Noop", "QUIT, Quit",
    "HELP, Help", "HELP mail, Help", "VRFY bob, Vrfy", "STARTTLS, StartTls", "StartTls, StartTls",
    "EHLO host.example, Ehlo", "helo [192.0.2.1], Helo", "EXPN list, Unknown",
    "AUTH PLAIN, Auth", "auth login, Auth"
  })
  void verbsAreCaseInsensitiveAndMapToTheirCommand(String line, String type) {
    assertThat(parse(line).getClass().getSimpleName()).isEqualTo(type);
  }

  @ParameterizedTest
  @CsvSource({
    "BDAT 10, 10, false", "BDAT 10 LAST, 10, true", "bdat 0 last, 0, true", "BDAT 0, 0, false",
    "BDAT 007 LAST, 7, true", "BDAT 9223372036854775807, 9223372036854775807, false", "'BDAT  12   LAST ', 12, true"
  })
  void bdatCarriesItsChunkSizeAndLast(String line, long size, boolean last) {
    assertThat(parse(line)).isEqualTo(new Command.Bdat(size, last));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "BDAT", "BDAT ", "BDAT x", "BDAT -1", "BDAT +5", "BDAT 1.5", "BDAT 0x10", "BDAT 10 FIRST", "BDAT 10 LAST now",
    "BDAT 9223372036854775808", "BDAT 99999999999999999999 LAST", "BDAT 10 LÄST", "BDAT ５"
  })
  void bdatWhoseSizeOrEndMarkerCannotBeReadIsMalformedNotMerelyInvalid(String line) {
    assertThat(parser.parse(line, true)).isInstanceOf(Command.MalformedBdat.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"DATA x", "RSET now", "QUIT please", "STARTTLS x", "EHLO", "HELO", "VRFY", "EHLO "})
  void missingOrExtraArgumentsAreSyntaxErrors(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.ARGUMENT_SYNTAX);
  }

  @Test
  void emptyLineIsASyntaxError() {
    assertThat(refusal("")).isEqualTo(Replies.SYNTAX_ERROR);
  }

  @Test
  void mailFromParsesAddressAndEveryParameter() {
    Command.Mail mail =
        (Command.Mail) parse("mail from:<Alice@Example.COM> SIZE=1024 body=8bitmime SMTPUTF8 RET=HDRS ENVID=abc+2Bdef");
    assertThat(mail.sender()).isEqualTo(new MailPath("Alice", Domain.of("example.com")));
    assertThat(mail.parameters().declaredSize()).isEqualTo(1024);
    assertThat(mail.parameters().body()).isEqualTo(BodyType.EIGHT_BIT_MIME);
    assertThat(mail.parameters().smtpUtf8()).isTrue();
    assertThat(mail.parameters().dsnReturn()).isEqualTo(DsnReturn.HDRS);
    assertThat(mail.parameters().envelopeId()).isEqualTo("abc+2Bdef");
  }

  @Test
  void mailWithoutParametersHasDefaults() {
    Command.Mail mail = (Command.Mail) parse("MAIL FROM:<a@b.example>");
    assertThat(mail.parameters().declaredSize()).isEqualTo(-1);
    assertThat(mail.parameters().body()).isEqualTo(BodyType.SEVEN_BIT);
    assertThat(mail.parameters().smtpUtf8()).isFalse();
    assertThat(mail.parameters().dsnReturn()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAIL FROM:<>", "MAIL FROM: <>", "MAIL FROM:<> BODY=7BIT"})
  void nullReversePathIsAccepted(String line) {
    assertThat(((Command.Mail) parse(line)).sender()).isEqualTo(MailPath.NULL);
  }

  @Test
  void sourceRouteIsIgnoredAndQuotedLocalPartKept() {
    assertThat(((Command.Mail) parse("MAIL FROM:<@a.example,@b.example:x@c.example>")).sender().address())
        .isEqualTo("x@c.example");
    assertThat(((Command.Mail) parse("MAIL FROM:<\"john doe>\"@c.example>")).sender().localPart())
        .isEqualTo("\"john doe>\"");
    assertThat(((Command.Mail) parse("MAIL FROM:<x@[192.0.2.7]>")).sender().domain().isAddressLiteral()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "MAIL FROM:a@b.example", "MAIL FROM:<a@b.example", "MAIL FROM:<a>", "MAIL FROM:<@b.example>",
    "MAIL FROM:<a@>", "MAIL FROM:<a b@c.example>", "MAIL FROM:<a@b..example>", "MAIL FROM:<a@-b.example>",
    "MAIL FROM:<a@b.example>SIZE=1"
  })
  void malformedSenderGets501WithBadSenderStatus(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.BAD_SENDER_SYNTAX);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAIL <a@b.example>", "MAIL TO:<a@b.example>", "RCPT FROM:<a@b.example>"})
  void missingFromOrToKeywordIsASyntaxError(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.ARGUMENT_SYNTAX);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "MAIL FROM:<a@b.example> SIZE=abc", "MAIL FROM:<a@b.example> SIZE=", "MAIL FROM:<a@b.example> SIZE",
    "MAIL FROM:<a@b.example> SIZE=1 SIZE=2", "MAIL FROM:<a@b.example> BODY=BINARY",
    "MAIL FROM:<a@b.example> SMTPUTF8=yes", "MAIL FROM:<a@b.example> RET=ALL", "MAIL FROM:<a@b.example> ENVID=a=b",
    "MAIL FROM:<a@b.example> ENVID=a+zz", "MAIL FROM:<a@b.example> =x"
  })
  void invalidParameterValueGets501InvalidArguments(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAIL FROM:<a@b.example> AUTH=<>", "MAIL FROM:<a@b.example> XFOO", "RCPT TO:<a@b.example> SIZE=1",
    "MAIL FROM:<a@b.example> BODY=BINARYMIME", "MAIL FROM:<a@b.example> body=binarymime"})
  void unknownParameterGets555(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.UNKNOWN_PARAMETER);
  }

  @Test
  void rcptParsesNotifyAndOrcpt() {
    Command.Rcpt rcpt = (Command.Rcpt) parse("RCPT TO:<bob@example.com> NOTIFY=success,DELAY ORCPT=rfc822;bob+40example.com");
    assertThat(rcpt.recipient().address().address()).isEqualTo("bob@example.com");
    assertThat(rcpt.recipient().notifyOn()).isEqualTo(Set.of(DsnNotify.SUCCESS, DsnNotify.DELAY));
    assertThat(rcpt.recipient().originalRecipient()).isEqualTo("rfc822;bob+40example.com");
    assertThat(rcpt.postmaster()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "RCPT TO:<b@c.example> NOTIFY=NEVER,SUCCESS", "RCPT TO:<b@c.example> NOTIFY=SOMETIMES", "RCPT TO:<b@c.example> NOTIFY=",
    "RCPT TO:<b@c.example> ORCPT=bob", "RCPT TO:<b@c.example> ORCPT=;x", "RCPT TO:<b@c.example> NOTIFY=NEVER NOTIFY=NEVER"
  })
  void invalidRcptParameterGets501InvalidArguments(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RCPT TO:<>", "RCPT TO:<bob>", "RCPT TO:bob@c.example", "RCPT TO:<bob@>"})
  void malformedRecipientGets501WithBadRecipientStatus(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.BAD_RECIPIENT_SYNTAX);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RCPT TO:<postmaster>", "RCPT TO:<Postmaster>", "rcpt to: <POSTMASTER>"})
  void barePostmasterIsAcceptedAsLocalPostmaster(String line) {
    Command.Rcpt rcpt = (Command.Rcpt) parse(line);
    assertThat(rcpt.postmaster()).isTrue();
    assertThat(rcpt.recipient().address().domain()).isEqualTo(Domain.of("relay.example"));
  }

  @Test
  void nonAsciiSenderNeedsSmtpUtf8() {
    assertThat(refusal("MAIL FROM:<jörg@example.de>")).isEqualTo(Replies.NON_ASCII_ADDRESS);
    assertThat(((Command.Mail) parse("MAIL FROM:<jörg@bücher.example> SMTPUTF8")).sender().localPart()).isEqualTo("jörg");
  }

  @Test
  void nonAsciiRecipientNeedsAnSmtpUtf8Transaction() {
    assertThat(refusal("RCPT TO:<jörg@example.de>")).isEqualTo(Replies.NON_ASCII_ADDRESS);
    assertThat(parser.parse("RCPT TO:<jörg@example.de>", true)).isInstanceOf(Command.Rcpt.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"EHLO hóst", "NOOP ü", "HÉLO x"})
  void nonAsciiOutsideAddressesIsASyntaxError(String line) {
    assertThat(refusal(line)).isEqualTo(Replies.SYNTAX_ERROR);
  }
}
