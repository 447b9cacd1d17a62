package dev.aepclient.kafka;

import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record that will not reach AEP: AEP rejected it (per-message status), or it could not be mapped to a message
 * (not JSON, a tombstone, too large for one request).
 *
 * @param record     the record as it was consumed
 * @param statusCode AEP's status for the message, or 0 when the record never reached AEP
 * @param reason     why: AEP's text, or the mapping problem
 * @param <K>        the record key type
 * @param <V>        the record value type
 */
public record DeadLetter<K, V>(ConsumerRecord<K, V> record, int statusCode, String reason) {
  /**
   * A dead letter; a null {@code reason} becomes an empty string.
   *
   * @throws NullPointerException if {@code record} is null
   */
  public DeadLetter {
    Objects.requireNonNull(record, "record");
    reason = reason == null ? "" : reason;
  }

  /** AEP's status, when AEP judged the message. */
  public OptionalInt status() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** {@code topic-partition@offset}, for log lines. */
  public String origin() {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
