package dev.aepclient.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.AepMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a Kafka record into the message for AEP. Called on the poll thread: keep it quick. A record that cannot be
 * mapped (not JSON, a tombstone, …) is signalled by throwing {@link IllegalArgumentException} with the reason; the
 * record then takes the dead-letter path, never a silent skip.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
@FunctionalInterface
public interface RecordMapper<K, V> {
  /**
   * The AEP message for {@code record}.
   *
   * @throws IllegalArgumentException when the record cannot become an AEP message; the message is the reason
   */
  AepMessage map(ConsumerRecord<K, V> record);

  /**
   * The default: the record's value is the message, as JSON text ({@code String}), UTF-8 bytes ({@code byte[]}) or
   * a Jackson {@code JsonNode}. A null value (a tombstone) or another type is unmappable.
   */
  static <K, V> RecordMapper<K, V> valueAsJson() {
    return record -> {
      Object value = record.value();
      if (value == null) {
        throw new IllegalArgumentException("the record has a null value (a tombstone); AEP needs a JSON object");
      } else if (value instanceof String text) {
        return AepMessage.of(text);
      } else if (value instanceof byte[] bytes) {
        return AepMessage.of(bytes);
      } else if (value instanceof JsonNode node) {
        return AepMessage.of(node);
      }
      throw new IllegalArgumentException("the record value is a " + value.getClass().getName()
          + "; the default mapper takes String, byte[] or JsonNode: pass a RecordMapper of your own");
    };
  }
}
