package dev.aepclient.examples.demo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's lag on one topic, as the broker sees it: end offset minus committed offset, summed over the
 * topic's partitions. A partition the group has never committed counts from its earliest offset (the demo's
 * consumer starts there). Not thread-safe; the {@link Admin} stays the caller's.
 */
final class ConsumerLag {
  private final Admin admin;
  private final String topic;
  private final String group;

  ConsumerLag(Admin admin, String topic, String group) {
    this.admin = admin;
    this.topic = topic;
    this.group = group;
  }

  /**
   * The lag now, asked within {@code timeout} (its three broker round trips together).
   *
   * @throws Exception when the broker cannot tell (timeout, unknown topic, no authorization)
   */
  long current(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
        .get(remaining(deadline), TimeUnit.NANOSECONDS).get(topic).partitions().stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(remaining(deadline), TimeUnit.NANOSECONDS);
    Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest(), deadline);
    Map<TopicPartition, Long> earliest = null;
    long lag = 0;
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      long from;
      if (c != null) {
        from = c.offset();
      } else {
        earliest = earliest == null ? offsets(partitions, OffsetSpec.earliest(), deadline) : earliest;
        from = earliest.get(tp);
      }
      lag += Math.max(0, end.get(tp) - from);
    }
    return lag;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec, long deadline)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, Long> result = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : admin.listOffsets(request).all()
        .get(remaining(deadline), TimeUnit.NANOSECONDS).entrySet()) {
      result.put(e.getKey(), e.getValue().offset());
    }
    return result;
  }
}
