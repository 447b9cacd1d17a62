package dev.aepclient.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The bookkeeping behind the caps and commits: settled records keep no payload; the prefix and its offset. */
class PartitionStateTest {

  private static ConsumerRecord<String, String> record(long offset, String value) {
    return new ConsumerRecord<>("t", 0, offset, 0L, TimestampType.CREATE_TIME, 3, value.length(), "key", value,
        new RecordHeaders(), Optional.empty());
  }

  @Test
  void aSettledRecordDropsItsPayload_andOnlyThePrefixBeforeTheFirstUnsettledIsCommittable() {
    PartitionState<String, String> state = new PartitionState<>();
    TrackedRecord<String, String> first = state.track(record(10, "x".repeat(1_000)), 1);
    TrackedRecord<String, String> second = state.track(record(11, "y".repeat(1_000)), 2);
    TrackedRecord<String, String> third = state.track(record(12, "z".repeat(1_000)), 3);
    assertThat(state.unsettledBytes()).isEqualTo(3 * 1_003);

    second.settle();
    assertThat(second.record()).as("payload dropped once settled").isNull();
    assertThat(second.offset()).isEqualTo(11);
    assertThat(state.unsettledBytes()).isEqualTo(2 * 1_003);
    assertThat(state.pendingCommit()).as("the head is unsettled: nothing to commit").isEqualTo(-1);
    assertThat(state.unsettledCount()).isEqualTo(3);
    assertThat(state.oldestUnsettledNanos()).isEqualTo(1);

    first.settle();
    assertThat(state.pendingCommit()).isEqualTo(12);
    state.requested(12);
    assertThat(state.pendingCommit()).as("one commit of an offset at a time").isEqualTo(-1);
    assertThat(state.unsettledCount()).isEqualTo(1);
    assertThat(state.uncommittedCount()).as("settled but not acknowledged, plus the unsettled one").isEqualTo(3);
    state.committed(12);
    assertThat(state.uncommittedCount()).isEqualTo(1);
    assertThat(state.safeOffset()).isEqualTo(12);

    third.settle();
    third.settle(); // idempotent
    assertThat(state.uncommitted()).isEqualTo(13);
    assertThat(state.unsettledBytes()).isZero();
  }

  @Test
  void aRecordCountsInFlightOnlyOnceAllItsMessagesAreHanded() {
    PartitionState<String, String> state = new PartitionState<>();
    TrackedRecord<String, String> tracked = state.track(record(0, "{}"), 0);
    tracked.mapped(List.of("a", "b"));
    tracked.beginRound();
    tracked.handed();
    assertThat(state.submittedSettled()).as("still handing: a revoke need not wait for it").isTrue();
    tracked.handed();
    assertThat(tracked.handingDone()).isFalse();
    assertThat(state.submittedSettled()).isFalse();
    assertThat(tracked.outcome(null, null)).isFalse();
    assertThat(tracked.outcome(new TrackedRecord.Rejection(400, "no"), null)).isTrue();
    assertThat(tracked.rejection().status()).isEqualTo(400);
    tracked.settle();
    assertThat(state.submittedSettled()).isTrue();
  }
}
