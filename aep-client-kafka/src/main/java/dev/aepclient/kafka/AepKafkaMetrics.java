package dev.aepclient.kafka;

import dev.aepclient.AepClientMetrics;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A snapshot of a bridge's (and its forwarder's) counters.
 *
 * @param recordsPolled       records handed to {@code forward}
 * @param recordsDelivered    records AEP accepted
 * @param recordsDeadLettered records handed to the dead-letter handler and stored by it
 * @param recordsHeld         records waiting for buffer space (their partitions are paused)
 * @param committedOffsets    the last offset committed per partition (the next record to read)
 * @param lag                 the consumer lag last seen per partition, where the consumer knows it
 * @param pausedPartitions    partitions paused because the client's buffer is full
 * @param client              the client's own metrics
 */
public record AepKafkaMetrics(long recordsPolled, long recordsDelivered, long recordsDeadLettered, long recordsHeld,
    Map<TopicPartition, Long> committedOffsets, Map<TopicPartition, Long> lag, Set<TopicPartition> pausedPartitions,
    AepClientMetrics client) {}
