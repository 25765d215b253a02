package relay.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import relay.core.envelope.Domain;
import relay.core.envelope.MailPath;

class AcceptedDomainsTest {

  private final AcceptedDomains accepted = new AcceptedDomains(List.of(
      AcceptedDomain.of("contoso.com", AcceptedDomainType.AUTHORITATIVE),
      AcceptedDomain.of("*.contoso.com", AcceptedDomainType.INTERNAL_RELAY),
      AcceptedDomain.of("lab.contoso.com", AcceptedDomainType.AUTHORITATIVE)));

  @Test
  void domainsMatchingAnyAcceptedDomainAreInside() {
    assertThat(accepted.isInside(Domain.of("contoso.com"))).isTrue();
    assertThat(accepted.isInside(Domain.of("eu.contoso.com"))).isTrue();
    assertThat(accepted.isInside(Domain.of("fabrikam.com"))).isFalse();
  }

  @Test
  void theMostSpecificEntryGivesTheType() {
    assertThat(accepted.find(Domain.of("lab.contoso.com")).orElseThrow().type())
        .isEqualTo(AcceptedDomainType.AUTHORITATIVE);
    assertThat(accepted.find(Domain.of("eu.contoso.com")).orElseThrow().type())
        .isEqualTo(AcceptedDomainType.INTERNAL_RELAY);
  }

  @Test
  void theNullSenderIsNeverInside() {
    assertThat(accepted.isInside(MailPath.NULL)).isFalse();
    assertThat(accepted.isInside(MailPath.parse("Printer@Contoso.com"))).isTrue();
  }

  @Test
  void aDomainListedTwiceIsAProblem() {
    AcceptedDomains twice = new AcceptedDomains(List.of(
        AcceptedDomain.of("contoso.com", AcceptedDomainType.AUTHORITATIVE),
        AcceptedDomain.of("Contoso.com", AcceptedDomainType.INTERNAL_RELAY)));
    assertThat(twice.problems()).singleElement().hasToString(
        "accepted domain 'contoso.com': is listed more than once; keep one entry");
    assertThat(accepted.problems()).isEmpty();
  }

  @Test
  void remoteDomainSettingsComeFromTheMostSpecificEntryWithAStarDefaultAlwaysPresent() {
    RemoteDomain partner = new RemoteDomain(DomainPattern.parse("partner.example"), false, false, true,
        OptionalLong.of(10_000_000));
    RemoteDomain partnerSubs = new RemoteDomain(DomainPattern.parse("*.partner.example"), true, false, false,
        OptionalLong.empty());
    RemoteDomains remote = new RemoteDomains(List.of(partnerSubs, partner));

    assertThat(remote.settingsFor(Domain.of("partner.example"))).isEqualTo(partner);
    assertThat(remote.settingsFor(Domain.of("eu.partner.example"))).isEqualTo(partnerSubs);
    assertThat(remote.settingsFor(Domain.of("fabrikam.com"))).isEqualTo(RemoteDomain.DEFAULT);
    assertThat(remote.domains()).hasSize(3);
  }

  @Test
  void aConfiguredStarEntryReplacesTheDefault() {
    RemoteDomain strict = new RemoteDomain(DomainPattern.ANY, false, false, false, OptionalLong.of(5));
    RemoteDomains remote = new RemoteDomains(List.of(strict));
    assertThat(remote.settingsFor(Domain.of("fabrikam.com"))).isEqualTo(strict);
    assertThat(remote.domains()).containsExactly(strict);
    assertThat(remote.problems()).isEmpty();
  }
}
