package relay.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import relay.core.envelope.Domain;
import relay.core.reply.Replies;

class RouterTest {

  private final Router router = new Router(List.of(
      ConnectorScope.byDomain("m365", "*"),
      ConnectorScope.byDomain("contoso", "*.contoso.com"),
      ConnectorScope.byDomain("contoso-eu", "*.eu.contoso.com"),
      ConnectorScope.byDomain("apex", "contoso.com", "eu.contoso.com"),
      ConnectorScope.ruleScoped("journal")));

  @ParameterizedTest
  @CsvSource({
    "fabrikam.com, m365",
    "contoso.com, apex",
    "mail.contoso.com, contoso",
    "paris.eu.contoso.com, contoso-eu",
    "eu.contoso.com, apex",
  })
  void theMostSpecificPatternChoosesTheConnector(String domain, String connector) {
    assertThat(router.route(Domain.of(domain)).orElseThrow().connector()).isEqualTo(connector);
  }

  @Test
  void theRouteSaysWhichPatternMatched() {
    assertThat(router.route(Domain.of("mail.contoso.com")).orElseThrow().reason())
        .isEqualTo("recipient domain matches *.contoso.com");
  }

  @Test
  void withoutADefaultAnUnservedDomainHasNoRoute() {
    Router partnerOnly = new Router(List.of(ConnectorScope.byDomain("partner", "partner.example")));
    assertThat(partnerOnly.route(Domain.of("fabrikam.com"))).isEmpty();
    assertThat(Replies.UNROUTABLE.toWire()).isEqualTo("550 5.4.4 Unable to route\r\n");
  }

  @Test
  void aRuleScopedConnectorIsReachedOnlyThroughARule() {
    Router scoped = new Router(List.of(new ConnectorScope("journal", List.of(DomainPattern.ANY), true)));
    assertThat(scoped.route(Domain.of("fabrikam.com"))).isEmpty();
    assertThat(scoped.routeVia("journal", "Journal all").orElseThrow())
        .isEqualTo(new Route("journal", "rule 'Journal all' routes via journal"));
    assertThat(scoped.routeVia("missing", "Journal all")).isEmpty();
  }

  @Test
  void aPatternServedByTwoConnectorsIsReportedAndTheFirstListedWins() {
    Router tie = new Router(List.of(
        ConnectorScope.byDomain("first", "partner.example"),
        ConnectorScope.byDomain("second", "Partner.example")));
    assertThat(tie.problems()).singleElement().hasToString(
        "outbound connector 'second': recipient domain 'partner.example' is also served by outbound"
            + " connector 'first'; a domain pattern may belong to one connector only");
    assertThat(tie.route(Domain.of("partner.example")).orElseThrow().connector()).isEqualTo("first");
  }

  @Test
  void unreachableDuplicateAndMisleadingConnectorsAreAllReported() {
    Router bad = new Router(List.of(
        new ConnectorScope("nowhere", List.of(), false),
        new ConnectorScope("journal", List.of(DomainPattern.ANY), true),
        ConnectorScope.byDomain("twice", "a.example", "a.example"),
        ConnectorScope.byDomain("twice", "b.example")));
    assertThat(bad.problems()).extracting(RoutingProblem::toString).containsExactly(
        "outbound connector 'nowhere': serves no recipient domain and is not rule-scoped, so no mail can reach it",
        "outbound connector 'journal': is rule-scoped, so its recipient domains [*] are never used;"
            + " remove them or make it not rule-scoped",
        "outbound connector 'twice': lists recipient domain 'a.example' twice",
        "outbound connector 'twice': is defined more than once");
    assertThat(router.problems()).isEmpty();
  }
}
