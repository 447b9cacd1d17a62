package dev.aepclient.kafka.internal;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records of one partition between poll and commit, in offset order, and which of them wait for buffer space.
 * Poll thread only; the records' settled flags are the one thing other threads write.
 */
public final class PartitionState<K, V> {
  private final ArrayDeque<TrackedRecord<K, V>> unsettled = new ArrayDeque<>();
  private final ArrayDeque<TrackedRecord<K, V>> held = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private long safe = -1;
  private long committed = -1;
  private boolean paused;

  /** Tracks a newly polled record. */
  public TrackedRecord<K, V> track(ConsumerRecord<K, V> record) {
    TrackedRecord<K, V> tracked = new TrackedRecord<>(record, inFlight);
    unsettled.addLast(tracked);
    return tracked;
  }

  /** A record that found the buffer full: it and every later record of this partition wait. */
  public void hold(TrackedRecord<K, V> record) {
    held.addLast(record);
  }

  public boolean isHolding() {
    return !held.isEmpty();
  }

  public ArrayDeque<TrackedRecord<K, V>> held() {
    return held;
  }

  /**
   * The offset to commit: one past the last record of the settled prefix, when that is beyond what the broker has
   * acknowledged; else -1.
   */
  public long toCommit() {
    while (!unsettled.isEmpty() && unsettled.peekFirst().isSettled()) {
      safe = unsettled.pollFirst().offset() + 1;
    }
    return safe > committed ? safe : -1;
  }

  /** Whether every submitted record has settled (held ones were never sent). Any thread. */
  public boolean submittedSettled() {
    return inFlight.get() == 0;
  }

  /** The broker acknowledged a commit of {@code offset}. */
  public void committed(long offset) {
    committed = Math.max(committed, offset);
  }

  public long committed() {
    return committed;
  }

  public boolean isPaused() {
    return paused;
  }

  public void paused(boolean paused) {
    this.paused = paused;
  }

  public int heldCount() {
    return held.size();
  }
}
