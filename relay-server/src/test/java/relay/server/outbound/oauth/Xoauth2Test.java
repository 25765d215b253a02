package relay.server.outbound.oauth;

import relay.core.connector.Secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Xoauth2Test {

  @Test
  void initialResponseIsBase64OfUserAuthBearerWithCtrlASeparators() {
    // base64 of "user=scanner@contoso.com\x01auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve\x01\x01", worked out apart
    assertThat(Xoauth2.initialResponse("scanner@contoso.com", Secret.of("EwBAAl3BAAUFFpUAo7J3Ve")))
        .isEqualTo("dXNlcj1zY2FubmVyQGNvbnRvc28uY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUBAQ==");
  }

  @Test
  void mailboxWithAControlCharacterIsRefused() {
    assertThatThrownBy(() -> Xoauth2.initialResponse("a@b.c\u0001auth=x", Secret.of("t")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
