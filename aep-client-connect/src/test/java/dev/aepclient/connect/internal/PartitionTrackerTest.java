package dev.aepclient.connect.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The settled prefix: what preCommit may hand to Connect. */
class PartitionTrackerTest {
  private final TopicPartition tp = new TopicPartition("events", 0);
  private final PartitionTracker tracker = new PartitionTracker(tp);

  private SinkRecord record(long offset) {
    return new SinkRecord("events", 0, null, null, Schema.STRING_SCHEMA, "{}", offset);
  }

  @Test
  void commitsOnlyPastTheSettledPrefixNeverPastAnUnsettledRecord() throws Exception {
    PendingRecord r0 = tracker.track(record(10));
    PendingRecord r1 = tracker.track(record(11));
    PendingRecord r2 = tracker.track(record(12));
    assertThat(tracker.safeOffset()).isEqualTo(-1);
    r1.delivered();
    r2.delivered();
    assertThat(tracker.safeOffset()).as("10 is unsettled").isEqualTo(-1);
    r0.delivered();
    assertThat(tracker.safeOffset()).isEqualTo(13);
    assertThat(tracker.allSettled()).isTrue();
  }

  @Test
  void aReportedRecordSettlesOnlyWhenTheDeadLetterWriteCompletes() throws Exception {
    PendingRecord r0 = tracker.track(record(0));
    PendingRecord r1 = tracker.track(record(1));
    r1.delivered();
    CompletableFuture<Void> stored = new CompletableFuture<>();
    r0.submitted(true);
    r0.reported(stored);
    assertThat(tracker.safeOffset()).isEqualTo(-1);
    assertThat(tracker.submittedSettled()).isFalse();
    stored.complete(null);
    assertThat(tracker.safeOffset()).isEqualTo(2);
  }

  @Test
  void aFailedDeadLetterWriteIsAnErrorNotASettlement() {
    PendingRecord r0 = tracker.track(record(0));
    r0.reported(CompletableFuture.failedFuture(new IllegalStateException("dlq topic gone")));
    assertThatThrownBy(tracker::safeOffset).isInstanceOf(ExecutionException.class).hasMessageContaining("dlq topic");
  }

  @Test
  void recordsRedeliveredAfterARewindAreNotTrackedTwice() throws Exception {
    tracker.track(record(0)).delivered();
    tracker.track(record(1)).delivered();
    assertThat(tracker.track(record(1))).isNull();
    assertThat(tracker.track(record(0))).isNull();
    assertThat(tracker.track(record(2))).isNotNull();
    assertThat(tracker.safeOffset()).isEqualTo(2);
  }

  @Test
  void recordsThatWaitForBufferSpaceDoNotCountAsInFlight() throws Exception {
    PendingRecord sent = tracker.track(record(0));
    sent.submitted(true);
    PendingRecord waiting = tracker.track(record(1));
    tracker.await(waiting);
    assertThat(tracker.submittedSettled()).isFalse();
    sent.delivered();
    assertThat(tracker.submittedSettled()).isTrue();
    assertThat(tracker.allSettled()).isFalse();
    assertThat(tracker.safeOffset()).isEqualTo(1);
  }

  @Test
  void anOffsetReadAgainAfterItSettledRestartsThePartitionFromIt() throws Exception {
    tracker.track(record(0)).delivered();
    tracker.track(record(1)).delivered();
    PendingRecord oldTwo = tracker.track(record(2));
    oldTwo.submitted(true);
    tracker.await(oldTwo);
    assertThat(tracker.safeOffset()).isEqualTo(2);

    PendingRecord again = tracker.track(record(1)); // the consumer moved back to 1
    assertThat(again).as("a settled offset read again is sent again").isNotNull();
    assertThat(tracker.safeOffset()).as("nothing at or past 1 until it settles again").isEqualTo(1);
    assertThat(tracker.waiting()).as("the old 2 is read again too").isEmpty();
    PendingRecord newTwo = tracker.track(record(2));
    newTwo.delivered();
    assertThat(tracker.safeOffset()).isEqualTo(1);
    again.delivered();
    assertThat(tracker.safeOffset()).isEqualTo(3);
    assertThat(tracker.allSettled()).isTrue();
  }
}
