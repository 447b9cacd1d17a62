package dev.aepclient.kafka;

import dev.aepclient.AepClientMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A snapshot of a bridge's (and its forwarder's) counters and gauges.
 *
 * @param recordsPolled          records handed to {@code forward} (and undeserializable ones skipped)
 * @param recordsDelivered       records whose every message AEP accepted
 * @param recordsDeadLettered    records handed to the dead-letter handler and stored by it
 * @param recordsHeld            records waiting to be handed to the client (buffer full, or AEP unavailable)
 * @param committedOffsets       the last offset committed per partition (the next record to read)
 * @param lag                    per partition: the end offset minus the committed offset, so records polled and
 *                               not yet committed count as lag (where the consumer knows the end offset)
 * @param pausedPartitions       partitions paused now (over an unsettled cap, waiting for buffer space, or AEP
 *                               unavailable)
 * @param client                 the client's own metrics
 * @param recordsFiltered        records the router mapped to no message (settled at once)
 * @param recordsSkipped         tombstones skipped under {@link TombstonePolicy#SKIP}
 * @param unsettledRecords       records polled and not yet committable
 * @param unsettledBytes         key and value bytes of the unsettled records not settled yet
 * @param oldestUnsettledAge     how long the oldest unsettled record has waited ({@link Duration#ZERO} when none)
 * @param unsettledByPartition   unsettled records per partition
 * @param commits                commits the broker acknowledged
 * @param commitFailures         asynchronous commits that failed (a later one covers them)
 * @param lastCommitTime         when the last commit was acknowledged
 * @param state                  the bridge's state
 * @param uncommittedRecords     records a crash now would send again: the unsettled ones plus the settled ones whose
 *                               commit the broker has not acknowledged yet
 */
public record AepKafkaMetrics(long recordsPolled, long recordsDelivered, long recordsDeadLettered, long recordsHeld,
    Map<TopicPartition, Long> committedOffsets, Map<TopicPartition, Long> lag, Set<TopicPartition> pausedPartitions,
    AepClientMetrics client, long recordsFiltered, long recordsSkipped, long unsettledRecords, long unsettledBytes,
    Duration oldestUnsettledAge, Map<TopicPartition, Integer> unsettledByPartition, long commits,
    long commitFailures, Optional<Instant> lastCommitTime, ForwarderState state, long uncommittedRecords) {

  /** The sum of {@link #lag()} over partitions. */
  public long totalLag() {
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }
}
