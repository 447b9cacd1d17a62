package dev.aepclient.kafka;

import java.util.OptionalInt;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record that will not reach AEP: AEP rejected it (per-message status), it could not be mapped to a message (not
 * JSON, a tombstone, too large for one request), or the consumer could not deserialize it.
 *
 * @param record         the record as it was consumed; for a record that could not be deserialized, its topic,
 *                       partition, offset, timestamp and headers with a null key and value
 * @param statusCode     AEP's status for the message, or 0 when the record never reached AEP
 * @param reason         why: AEP's text (escaped and bounded), or the mapping problem
 * @param undeserializedKey   the raw key bytes of a record the consumer could not deserialize, else null
 * @param undeserializedValue the raw value bytes of a record the consumer could not deserialize, else null
 * @param <K>            the record key type
 * @param <V>            the record value type
 */
@SuppressWarnings("ArrayRecordComponent") // Kafka's raw bytes, handed on as they are; never compared
public record DeadLetter<K, V>(ConsumerRecord<K, V> record, int statusCode, String reason, byte[] undeserializedKey,
    byte[] undeserializedValue) {
  /**
   * A dead letter; a null {@code reason} becomes an empty string.
   *
   * @throws NullPointerException if {@code record} is null
   */
  public DeadLetter {
    java.util.Objects.requireNonNull(record, "record");
    reason = reason == null ? "" : reason;
  }

  /** A dead letter for a record that was deserialized. */
  public DeadLetter(ConsumerRecord<K, V> record, int statusCode, String reason) {
    this(record, statusCode, reason, null, null);
  }

  /** AEP's status, when AEP judged the message. */
  public OptionalInt status() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** Whether the consumer could not deserialize the record (its raw bytes are in the {@code undeserialized*}). */
  public boolean undeserializable() {
    return undeserializedKey != null || undeserializedValue != null;
  }

  /** {@code topic-partition@offset}, for log lines. */
  public String origin() {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
