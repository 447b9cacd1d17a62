package dev.aepclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input is refused when the message is made, with an error that says what is wrong and never the content. */
class AepMessageTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON            | hello world                 | not well-formed JSON at byte",
      "truncated           | '{\"a\":{\"b\":1}'          | truncated JSON",
      "array               | '[1,2]'                     | not a JSON object (starts with an array)",
      "string              | '\"text\"'                  | not a JSON object (starts with a string)",
      "two objects         | '{\"a\":1}{\"b\":2}'        | content after its JSON object",
      "white space only    | '   '                       | starts with nothing but white space",
      "unquoted key        | '{secret:1}'                | not well-formed JSON at byte 1",
  })
  void refusesMalformedJson(String what, String json, String expected) {
    assertThatThrownBy(() -> AepMessage.of(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret", "hello"));
  }

  @Test
  void refusesEmptyAndNull() {
    assertThatThrownBy(() -> AepMessage.of("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> AepMessage.of((String) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> AepMessage.of((byte[]) null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AepMessage.of(new ObjectMapper().createArrayNode()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ARRAY");
  }

  @Test
  void refusesInvalidUtf8() {
    byte[] bytes = "{\"a\":\"xx\"}".getBytes(StandardCharsets.US_ASCII);
    bytes[6] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    assertThatThrownBy(() -> AepMessage.of(bytes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void refusesDeeplyNestedJson() {
    String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
    assertThatThrownBy(() -> AepMessage.of(deep)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void keepsBytesAsGivenAndCopiesTheCallersArray() {
    byte[] bytes = "{\"name\":\"Zoë ✓\"}".getBytes(StandardCharsets.UTF_8);
    AepMessage m = AepMessage.of(bytes);
    bytes[0] = 'x';
    assertThat(m.json()).isEqualTo("{\"name\":\"Zoë ✓\"}");
    assertThat(m.sizeInBytes()).isEqualTo(19);
    assertThat(m.toString()).isEqualTo("AepMessage[19 bytes]");
  }

  @Test
  void xdm_shapesHeaderAndBodyAsDocumented() throws Exception {
    XdmHeader header = XdmHeader.builder("https://ns.adobe.com/tenant/schemas/abc")
        .imsOrgId("ORG@AdobeOrg").datasetId("ds-1").flowId("flow-1").sourceName("web").createdAt(1526283801869L)
        .build();
    var tree = new ObjectMapper().readTree(AepMessage.xdm(header, "{\"_id\":\"e1\"}").json());

    assertThat(tree.at("/header/schemaRef/id").asText()).isEqualTo("https://ns.adobe.com/tenant/schemas/abc");
    assertThat(tree.at("/header/schemaRef/contentType").asText())
        .isEqualTo("application/vnd.adobe.xed-full+json;version=1");
    assertThat(tree.at("/header/imsOrgId").asText()).isEqualTo("ORG@AdobeOrg");
    assertThat(tree.at("/header/datasetId").asText()).isEqualTo("ds-1");
    assertThat(tree.at("/header/flowId").asText()).isEqualTo("flow-1");
    assertThat(tree.at("/header/source/name").asText()).isEqualTo("web");
    assertThat(tree.at("/header/createdAt").asLong()).isEqualTo(1526283801869L);
    assertThat(tree.at("/body/xdmMeta/schemaRef")).isEqualTo(tree.at("/header/schemaRef"));
    assertThat(tree.at("/body/xdmEntity/_id").asText()).isEqualTo("e1");
  }

  @Test
  void xdm_refusesAnEntityThatIsNotAnObject() {
    XdmHeader header = XdmHeader.builder("https://ns.adobe.com/t/schemas/s").build();
    assertThatThrownBy(() -> AepMessage.xdm(header, "[1]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> XdmHeader.builder(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schemaId");
  }
}
