package dev.aepclient.connect.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.AepMessage;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Values from every converter become one JSON object, or a reason; never the content in the reason. */
class ValueMapperTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SinkRecord record(Schema schema, Object value) {
    return new SinkRecord("events", 0, null, null, schema, value, 0);
  }

  private static JsonNode json(AepMessage message) throws Exception {
    return JSON.readTree(message.json());
  }

  @Test
  void structWithLogicalTypesBecomesXdmFriendlyJson() throws Exception {
    Schema address = SchemaBuilder.struct().field("city", Schema.STRING_SCHEMA).build();
    Schema schema = SchemaBuilder.struct()
        .field("id", Schema.STRING_SCHEMA)
        .field("price", Decimal.schema(2))
        .field("at", Timestamp.SCHEMA)
        .field("day", Date.SCHEMA)
        .field("time", Time.SCHEMA)
        .field("raw", Schema.BYTES_SCHEMA)
        .field("address", address)
        .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("scores", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
        .field("missing", Schema.OPTIONAL_STRING_SCHEMA)
        .build();
    Struct value = new Struct(schema)
        .put("id", "e1")
        .put("price", new BigDecimal("12.50"))
        .put("at", new java.util.Date(1_700_000_000_123L))
        .put("day", new java.util.Date(86_400_000L * 3))
        .put("time", new java.util.Date(3_600_000L + 1))
        .put("raw", "hi".getBytes(StandardCharsets.UTF_8))
        .put("address", new Struct(address).put("city", "Basel"))
        .put("tags", List.of("a", "b"))
        .put("scores", Map.of("x", 1L));
    JsonNode node = json(ValueMapper.toMessage(record(schema, value)));
    assertThat(node.path("price").decimalValue()).isEqualByComparingTo("12.50");
    assertThat(node.path("at").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
    assertThat(node.path("day").asText()).isEqualTo("1970-01-04");
    assertThat(node.path("time").asText()).isEqualTo("01:00:00.001");
    assertThat(node.path("raw").asText()).isEqualTo("aGk=");
    assertThat(node.path("address").path("city").asText()).isEqualTo("Basel");
    assertThat(node.path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(node.path("scores").path("x").asLong()).isEqualTo(1);
    assertThat(node.has("missing")).isTrue();
    assertThat(node.path("missing").isNull()).isTrue();
  }

  @Test
  void schemalessMapStringAndBytesAreTheSameObject() throws Exception {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", "e1");
    map.put("n", 1L);
    String text = "{\"id\":\"e1\",\"n\":1}";
    assertThat(json(ValueMapper.toMessage(record(null, map)))).isEqualTo(JSON.readTree(text));
    assertThat(json(ValueMapper.toMessage(record(null, text)))).isEqualTo(JSON.readTree(text));
    assertThat(json(ValueMapper.toMessage(record(null, text.getBytes(StandardCharsets.UTF_8)))))
        .isEqualTo(JSON.readTree(text));
    assertThat(json(ValueMapper.toMessage(record(null, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))))))
        .isEqualTo(JSON.readTree(text));
  }

  @Test
  void valuesThatAreNotOneJsonObjectAreRefusedWithoutQuotingThem() {
    assertThatThrownBy(() -> ValueMapper.toMessage(record(null, "secret-ish text")))
        .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("secret-ish");
    assertThatThrownBy(() -> ValueMapper.toMessage(record(Schema.INT32_SCHEMA, 42)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Integer");
    assertThatThrownBy(() -> ValueMapper.toMessage(record(null, List.of(1, 2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AEP needs a JSON object");
  }
}
