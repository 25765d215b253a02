package relay.core.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.envelope.MailPath;

class SenderIdentitiesTest {

  private final SenderIdentity exact = new SenderIdentity("Payroll@Contoso.com", "payroll@contoso.com", null, null);
  private final SenderIdentity domain = new SenderIdentity("*@contoso.com", "relay@contoso.com", null, null);
  private final SenderIdentity devices = new SenderIdentity("*@localhost", "relay@contoso.com", "scanner@contoso.com", null);
  private final SenderIdentity fallback = new SenderIdentity("*", "relay@contoso.com", "noreply@contoso.com", null);

  @Test
  void exactAddressWinsOverDomainWhichWinsOverDefault() {
    SenderIdentities table = new SenderIdentities(List.of(fallback, domain, exact, devices));

    assertThat(table.forSender(MailPath.parse("payroll@contoso.com"))).contains(exact);
    assertThat(table.forSender(MailPath.parse("hr@CONTOSO.com"))).contains(domain);
    assertThat(table.forSender(MailPath.parse("scanner@localhost"))).contains(devices);
    assertThat(table.forSender(MailPath.parse("x@fabrikam.com"))).contains(fallback);
    assertThat(table.forSender(MailPath.NULL)).contains(fallback);
  }

  @Test
  void senderWithoutAnyMatchingEntryHasNoIdentity() {
    SenderIdentities table = new SenderIdentities(List.of(domain));

    assertThat(table.forSender(MailPath.parse("a@notcontoso.com"))).isEmpty();
    assertThat(table.forSender(MailPath.parse("a@sub.contoso.com"))).isEmpty();
  }

  @Test
  void malformedPatternIsRefused() {
    assertThatThrownBy(() -> new SenderIdentity("a*@b.c", "m@b.c", null, null)).isInstanceOf(IllegalArgumentException.class);
  }
}
