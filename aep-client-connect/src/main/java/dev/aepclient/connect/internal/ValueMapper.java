package dev.aepclient.connect.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aepclient.AepMessage;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A record's value as an AEP message, whatever converter made it: JSON text ({@code StringConverter}), UTF-8 JSON
 * bytes ({@code ByteArrayConverter}), a {@code Map} ({@code JsonConverter} without schemas) or a {@link Struct}
 * ({@code JsonConverter} with schemas, Avro, Protobuf, or an SMT). Maps and structs are written as JSON objects:
 * bytes as base64, {@code Decimal} as a number, {@code Timestamp}, {@code Date} and {@code Time} as ISO-8601 text
 * (what XDM date-time, date and time fields hold). Stateless and thread-safe.
 */
public final class ValueMapper {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ValueMapper() {}

  /**
   * The message for {@code record}'s value.
   *
   * @throws IllegalArgumentException with the reason (never the content) when the value cannot be one JSON object;
   *     a null value is not handled here (tombstones have a policy of their own)
   */
  public static AepMessage toMessage(SinkRecord record) {
    Object value = record.value();
    if (value instanceof String text) {
      return AepMessage.of(text);
    } else if (value instanceof byte[] bytes) {
      return AepMessage.of(bytes);
    } else if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return AepMessage.of(bytes);
    } else if (value instanceof Struct || value instanceof Map) {
      return AepMessage.of(toJson(value, record.valueSchema()));
    }
    throw new IllegalArgumentException("the record value is "
        + (value == null ? "null" : "a " + value.getClass().getName())
        + "; AEP needs a JSON object: use StringConverter or ByteArrayConverter for JSON text, or a converter that"
        + " yields a Struct or Map (JsonConverter, Avro, Protobuf)");
  }

  /** A Connect value as a Jackson tree; {@code schema} may be null (schemaless values). */
  static JsonNode toJson(Object value, Schema schema) {
    if (value == null) {
      return NODES.nullNode();
    }
    String logical = schema == null ? null : schema.name();
    if (value instanceof java.util.Date date && logical != null) {
      Instant instant = date.toInstant();
      return switch (logical) {
        case Date.LOGICAL_NAME -> NODES.textNode(instant.atOffset(ZoneOffset.UTC).toLocalDate().toString());
        case Time.LOGICAL_NAME -> NODES.textNode(instant.atOffset(ZoneOffset.UTC).toLocalTime().toString());
        default -> NODES.textNode(instant.toString());
      };
    }
    if (value instanceof java.util.Date date) {
      return NODES.textNode(date.toInstant().toString());
    } else if (value instanceof Struct struct) {
      ObjectNode node = NODES.objectNode();
      for (Field field : struct.schema().fields()) {
        node.set(field.name(), toJson(struct.get(field), field.schema()));
      }
      return node;
    } else if (value instanceof Map<?, ?> map) {
      ObjectNode node = NODES.objectNode();
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        node.set(String.valueOf(e.getKey()), toJson(e.getValue(), valueSchema));
      }
      return node;
    } else if (value instanceof Collection<?> list) {
      ArrayNode node = NODES.arrayNode();
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      for (Object item : list) {
        node.add(toJson(item, valueSchema));
      }
      return node;
    } else if (value instanceof String s) {
      return NODES.textNode(s);
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return NODES.numberNode(((Number) value).intValue());
    } else if (value instanceof Long l) {
      return NODES.numberNode(l);
    } else if (value instanceof Float f) {
      return NODES.numberNode(f);
    } else if (value instanceof Double d) {
      return NODES.numberNode(d);
    } else if (value instanceof BigDecimal d) {
      return NODES.numberNode(d);
    } else if (value instanceof byte[] bytes) {
      return NODES.binaryNode(bytes);
    } else if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return NODES.binaryNode(bytes);
    }
    throw new IllegalArgumentException("a field value of type " + value.getClass().getName()
        + " has no JSON form");
  }
}
