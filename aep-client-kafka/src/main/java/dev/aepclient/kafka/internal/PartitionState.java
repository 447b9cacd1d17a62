package dev.aepclient.kafka.internal;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records of one partition between poll and commit, in offset order, and which of them wait to be handed to the
 * client. Poll thread only, except the counters that settling (on any thread) updates.
 */
public final class PartitionState<K, V> {
  private final ArrayDeque<TrackedRecord<K, V>> unsettled = new ArrayDeque<>();
  private final ArrayDeque<TrackedRecord<K, V>> waiting = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong unsettledBytes = new AtomicLong();
  private volatile int trackedCount;
  private long safe = -1;
  private long first = -1;
  private long committed = -1;
  private long requested = -1;
  private boolean paused;

  /** Tracks a newly polled record. */
  public TrackedRecord<K, V> track(ConsumerRecord<K, V> record, long nowNanos) {
    TrackedRecord<K, V> tracked = new TrackedRecord<>(this, record, nowNanos);
    if (first < 0) {
      first = record.offset();
    }
    unsettled.addLast(tracked);
    unsettledBytes.addAndGet(tracked.sizeBytes());
    trackedCount = unsettled.size();
    return tracked;
  }

  /** Any thread: a record settled. */
  void onSettled(TrackedRecord<K, V> record) {
    unsettledBytes.addAndGet(-record.sizeBytes());
  }

  AtomicInteger inFlight() {
    return inFlight;
  }

  /** A record that could not be handed (buffer full, or AEP unavailable): it waits, in offset order. */
  public void await(TrackedRecord<K, V> record) {
    if (waiting.isEmpty() || waiting.peekLast().offset() < record.offset()) {
      waiting.addLast(record);
    } else { // a record sent back after a failed round goes before later ones
      ArrayDeque<TrackedRecord<K, V>> sorted = new ArrayDeque<>(waiting.size() + 1);
      boolean placed = false;
      for (TrackedRecord<K, V> r : waiting) {
        if (!placed && record.offset() < r.offset()) {
          sorted.addLast(record);
          placed = true;
        }
        if (r != record) {
          sorted.addLast(r);
        }
      }
      if (!placed) {
        sorted.addLast(record);
      }
      waiting.clear();
      waiting.addAll(sorted);
    }
  }

  public boolean isWaiting() {
    return !waiting.isEmpty();
  }

  public ArrayDeque<TrackedRecord<K, V>> waiting() {
    return waiting;
  }

  /** Drops the settled prefix (its records are committable now). */
  public void advance() {
    while (!unsettled.isEmpty() && unsettled.peekFirst().isSettled()) {
      safe = unsettled.pollFirst().offset() + 1;
    }
    trackedCount = unsettled.size();
  }

  /** The offset to commit asynchronously: one past the settled prefix, when beyond what was requested; else -1. */
  public long pendingCommit() {
    advance();
    return safe > requested && safe > committed ? safe : -1;
  }

  /** The offset to commit synchronously: one past the settled prefix, when beyond what is committed; else -1. */
  public long uncommitted() {
    advance();
    return safe > committed ? safe : -1;
  }

  /**
   * The offset at which nothing before is unsettled: the first unsettled record's, else one past the last settled
   * one; -1 when nothing was tracked yet.
   */
  public long safeOffset() {
    advance();
    return unsettled.isEmpty() ? safe : unsettled.peekFirst().offset();
  }

  /** Whether every record handed in a round has settled or failed back (any thread). */
  public boolean submittedSettled() {
    return inFlight.get() == 0;
  }

  /** A commit of {@code offset} was sent. */
  public void requested(long offset) {
    requested = Math.max(requested, offset);
  }

  /** A commit request failed: the next commit may send the same offset again. */
  public void requestFailed() {
    requested = committed;
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

  public int waitingCount() {
    return waiting.size();
  }

  /** Records polled and not yet past the settled prefix (settled ones behind an unsettled head included). */
  public int unsettledCount() {
    return trackedCount;
  }

  /**
   * Records a crash now would send again: the unsettled ones, and the settled ones whose commit the broker has not
   * acknowledged yet (counted by offsets).
   */
  public long uncommittedCount() {
    long base = committed >= 0 ? committed : first;
    return trackedCount + (safe >= 0 && base >= 0 ? Math.max(0, safe - base) : 0);
  }

  /** Key and value bytes of the records polled and not settled. Any thread. */
  public long unsettledBytes() {
    return unsettledBytes.get();
  }

  /** When the oldest unsettled record was polled, or -1 (poll thread). */
  public long oldestUnsettledNanos() {
    return unsettled.isEmpty() ? -1 : unsettled.peekFirst().polledAtNanos();
  }
}
