package dev.aepclient.connect.internal;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The records of one assigned partition between {@code put} and commit, in offset order, and those waiting for
 * buffer space. Task thread only (the records' settled flags are the one thing other threads write).
 */
public final class PartitionTracker {
  private final TopicPartition partition;
  private final ArrayDeque<PendingRecord> unsettled = new ArrayDeque<>();
  private final ArrayDeque<PendingRecord> waiting = new ArrayDeque<>();
  private long lastTracked = -1;
  private long safe = -1;
  private boolean paused;

  public PartitionTracker(TopicPartition partition) {
    this.partition = partition;
  }

  public TopicPartition partition() {
    return partition;
  }

  /**
   * Tracks a record handed to {@code put}; null when the same offset is still unsettled here (a redelivery of a
   * record in flight or waiting: it needs nothing more). An offset at or below one tracked before that is no longer
   * here means the consumer moved back (a rewind, or log truncation after an unclean leader election, where the
   * offset may now hold another record): the partition restarts from it, so it and what follows are sent again and
   * nothing at or past it is committed until they settle.
   */
  public PendingRecord track(SinkRecord record) {
    long offset = Origin.offset(record);
    if (offset <= lastTracked) {
      for (PendingRecord pending : unsettled) {
        if (pending.offset() == offset) {
          return null;
        }
      }
      rewindTo(offset);
    }
    lastTracked = offset;
    PendingRecord pending = new PendingRecord(record, this);
    unsettled.addLast(pending);
    return pending;
  }

  /** Forgets the records at or past {@code offset} (the consumer reads them again) and commits nothing past it. */
  private void rewindTo(long offset) {
    unsettled.removeIf(pending -> pending.offset() >= offset);
    waiting.removeIf(pending -> pending.offset() >= offset);
    safe = Math.min(safe, offset);
  }

  /** Waits for buffer space; it and every later record of this partition wait (in order). */
  public void await(PendingRecord record) {
    waiting.addLast(record);
  }

  /** A record whose attempt timed out goes first in line again. */
  public void retryFirst(PendingRecord record) {
    waiting.addFirst(record);
  }

  public ArrayDeque<PendingRecord> waiting() {
    return waiting;
  }

  public boolean isWaiting() {
    return !waiting.isEmpty();
  }

  /**
   * The offset to commit: one past the last record of the settled prefix, or -1 when nothing has settled yet.
   *
   * @throws ExecutionException when the errant record reporter failed to store a record of the prefix
   */
  public long safeOffset() throws ExecutionException {
    while (!unsettled.isEmpty() && unsettled.peekFirst().isSettled()) {
      safe = unsettled.pollFirst().offset() + 1;
    }
    return safe;
  }

  /** Whether every tracked record is settled. */
  public boolean allSettled() throws ExecutionException {
    safeOffset();
    return unsettled.isEmpty();
  }

  /** Whether every record handed to the client or the reporter is settled (waiting ones were never sent). */
  public boolean submittedSettled() throws ExecutionException {
    safeOffset();
    for (PendingRecord record : unsettled) {
      if (record.isSubmitted() && !record.isSettled()) {
        return false;
      }
    }
    return true;
  }

  /** Tracked and not settled, waiting ones included. */
  public int unsettledCount() {
    return unsettled.size();
  }

  public boolean isPaused() {
    return paused;
  }

  public void paused(boolean paused) {
    this.paused = paused;
  }
}
