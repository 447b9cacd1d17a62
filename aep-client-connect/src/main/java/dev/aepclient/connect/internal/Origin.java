package dev.aepclient.connect.internal;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Where a record was consumed from, which is what offsets are committed for. An SMT may rewrite a record's topic,
 * partition or offset; Connect 3.6+ keeps the originals ({@code originalTopic()}, KIP-793). On an older worker the
 * record's own coordinates are the only ones there are (and Connect commits those).
 */
public final class Origin {
  private static final boolean HAS_ORIGINALS = hasOriginals();

  private Origin() {}

  public static TopicPartition partition(SinkRecord record) {
    return HAS_ORIGINALS ? new TopicPartition(record.originalTopic(), record.originalKafkaPartition())
        : new TopicPartition(record.topic(), record.kafkaPartition());
  }

  public static long offset(SinkRecord record) {
    return HAS_ORIGINALS ? record.originalKafkaOffset() : record.kafkaOffset();
  }

  private static boolean hasOriginals() {
    try {
      SinkRecord.class.getMethod("originalKafkaOffset");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
