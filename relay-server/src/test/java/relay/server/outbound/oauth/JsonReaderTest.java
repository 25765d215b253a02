package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

  @Test
  void readsMicrosoftsErrorReplyWithEscapesAndAnArray() {
    String text = "{\"error\":\"invalid_client\","
        + "\"error_description\":\"AADSTS7000215: Invalid \\\"secret\\\".\\r\\nTrace ID: 1\\u00e9\","
        + " \"error_codes\":[7000215, 50012],\"timestamp\":\"2026-01-02 03:04:05Z\","
        + "\"ok\":true,\"none\":null,\"n\":-1.5e2}";

    Map<String, JsonValue> json = JsonReader.parseObject(text);

    assertThat(json.get("error")).isEqualTo(new JsonValue.Text("invalid_client"));
    assertThat(json.get("error_description"))
        .isEqualTo(new JsonValue.Text("AADSTS7000215: Invalid \"secret\".\r\nTrace ID: 1\u00e9"));
    assertThat(json.get("error_codes")).isEqualTo(new JsonValue.Array(List.of(
        new JsonValue.Number(new BigDecimal("7000215")), new JsonValue.Number(new BigDecimal("50012")))));
    assertThat(json.get("ok")).isEqualTo(new JsonValue.Bool(true));
    assertThat(json.get("none")).isEqualTo(new JsonValue.Null());
    assertThat(json.get("n")).isEqualTo(new JsonValue.Number(new BigDecimal("-1.5e2")));
    assertThat(json.keySet())
        .containsExactly("error", "error_description", "error_codes", "timestamp", "ok", "none", "n");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "[]", "{", "{}x", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1,\"a\":2}", "{\"a\":\"x\ny\"}",
    "{\"a\":tru}", "{\"a\":\"\\q\"}", "{\"a\":-}", "{\"a\":1.}", "{a:1}", "{\"a\":\"\\u12\"}"
  })
  void malformedTextIsRefusedWithoutEchoingIt(String text) {
    assertThatThrownBy(() -> JsonReader.parseObject(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON at offset");
  }

  @Test
  void deepNestingIsRefused() {
    String deep = "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}";
    assertThatThrownBy(() -> JsonReader.parseObject(deep)).hasMessageContaining("nested too deeply");
  }

  @Test
  void writerEscapesWhatTheReaderReadsBack() {
    String nasty = "q\"b\\s/\n\r\t\u0001\u00e9\u20ac";
    String json = new JsonWriter().string("k", nasty).number("n", 42).numbers("c", 1, 2).toString();

    Map<String, JsonValue> back = JsonReader.parseObject(json);

    assertThat(back.get("k")).isEqualTo(new JsonValue.Text(nasty));
    assertThat(json).doesNotContain("\u0001").contains("\\u0001");
    assertThat(back.get("n")).isEqualTo(new JsonValue.Number(new BigDecimal(42)));
    assertThat(back.get("c")).isEqualTo(new JsonValue.Array(List.of(
        new JsonValue.Number(BigDecimal.ONE), new JsonValue.Number(BigDecimal.TWO))));
  }
}
