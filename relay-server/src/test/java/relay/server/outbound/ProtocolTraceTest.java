package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import relay.core.tracking.ProtocolLog;

class ProtocolTraceTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("relay.protocol");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  @Test
  void commandsAreOutRepliesAreInAndMessageContentIsNeverLogged() {
    ProtocolTrace trace = new ProtocolTrace(new ProtocolLog(), "s1", "smart", "mx:25");
    String transcript = String.join("\r\n",
        "DEBUG: getProvider() returning jakarta.mail.Provider[TRANSPORT,smtp]",
        "220 mx ESMTP",
        "EHLO relay.test",
        "250-mx",
        "250 STARTTLS",
        "MAIL FROM:<p@example.com>",
        "250 2.1.0 Ok",
        "DATA",
        "354 go ahead",
        "Subject: secret payroll",
        "250 looks like a reply but is content",
        "..stuffed",
        ".",
        "250 2.0.0 Ok queued",
        "DEBUG SMTP: MessagingException while sending, THROW: ",
        "org.eclipse.angus.mail.smtp.SMTPSendFailedException: 250 Ok",
        "\tat org.eclipse.angus.mail.smtp.SMTPTransport.sendMessage(SMTPTransport.java:1318)",
        "QUIT",
        "");
    trace.write(transcript.getBytes(StandardCharsets.ISO_8859_1), 0, transcript.length());

    List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).containsExactly(
        "s1 smart - mx:25 IN 220 mx ESMTP",
        "s1 smart - mx:25 OUT EHLO relay.test",
        "s1 smart - mx:25 IN 250-mx",
        "s1 smart - mx:25 IN 250 STARTTLS",
        "s1 smart - mx:25 OUT MAIL FROM:<p@example.com>",
        "s1 smart - mx:25 IN 250 2.1.0 Ok",
        "s1 smart - mx:25 OUT DATA",
        "s1 smart - mx:25 IN 354 go ahead",
        "s1 smart - mx:25 EVENT message content: 3 lines not logged",
        "s1 smart - mx:25 OUT .",
        "s1 smart - mx:25 IN 250 2.0.0 Ok queued",
        "s1 smart - mx:25 EVENT MessagingException while sending, THROW: ",
        "s1 smart - mx:25 OUT QUIT");
  }
}
