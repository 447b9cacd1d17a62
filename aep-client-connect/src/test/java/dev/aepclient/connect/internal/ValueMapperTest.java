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
@SuppressWarnings("JavaUtilDate") // Connect's Date, Time and Timestamp logical types are java.util.Date
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

  @Test
  void logicalTypesNestedInArraysMapsAndStructsKeepTheirJsonForm() throws Exception {
    Schema line = SchemaBuilder.struct().field("sku", Schema.STRING_SCHEMA)
        .field("prices", SchemaBuilder.array(Decimal.schema(3)).build())
        .field("blob", Schema.OPTIONAL_BYTES_SCHEMA).build();
    Schema schema = SchemaBuilder.struct()
        .field("lines", SchemaBuilder.array(line).build())
        .field("seen", SchemaBuilder.map(Schema.STRING_SCHEMA, Timestamp.SCHEMA).build())
        .field("byDay", SchemaBuilder.map(Schema.INT32_SCHEMA, SchemaBuilder.array(Date.SCHEMA).build()).build())
        .field("optionalAt", Timestamp.builder().optional().build())
        .field("ratio", Schema.FLOAT64_SCHEMA)
        .build();
    Map<Integer, List<java.util.Date>> byDay = new LinkedHashMap<>();
    byDay.put(7, List.of(new java.util.Date(0L), new java.util.Date(86_400_000L)));
    Struct value = new Struct(schema)
        .put("lines", List.of(new Struct(line).put("sku", "a").put("prices",
            List.of(new BigDecimal("1.500"), new BigDecimal("-0.001"))).put("blob", ByteBuffer.wrap(new byte[] {0, 1}))))
        .put("seen", Map.of("first", new java.util.Date(1_000L)))
        .put("byDay", byDay)
        .put("ratio", Double.NaN);

    String json = ValueMapper.toMessage(record(schema, value)).json();
    JsonNode node = JSON.readTree(json);

    assertThat(node.at("/lines/0/prices/0").decimalValue()).isEqualByComparingTo("1.5");
    assertThat(node.at("/lines/0/prices/1").decimalValue()).isEqualByComparingTo("-0.001");
    assertThat(node.at("/lines/0/blob").asText()).isEqualTo("AAE=");
    assertThat(node.at("/seen/first").asText()).isEqualTo("1970-01-01T00:00:01Z");
    assertThat(node.at("/byDay/7").toString()).isEqualTo("[\"1970-01-01\",\"1970-01-02\"]");
    assertThat(node.at("/optionalAt").isNull()).isTrue();
    assertThat(json).as("NaN is not JSON: it must not reach AEP as a bare token").doesNotContain(":NaN");
  }
}
