package dev.aepclient.connect.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One record between {@code put} and commit. It is settled when AEP accepted it, when Connect's errant record
 * reporter has stored it (its future is done), or when policy skipped it. {@link #delivered()} runs on the client's
 * I/O threads; the rest on the task thread.
 */
public final class PendingRecord {
  private final SinkRecord record;
  private final PartitionTracker partition;
  private volatile boolean settled;
  private boolean submitted;
  private Future<Void> reported;

  PendingRecord(SinkRecord record, PartitionTracker partition) {
    this.record = record;
    this.partition = partition;
  }

  public SinkRecord record() {
    return record;
  }

  public PartitionTracker partition() {
    return partition;
  }

  public long offset() {
    return Origin.offset(record);
  }

  /** {@code topic-partition@offset}, for log lines and errors (never the content). */
  public String origin() {
    return Origin.partition(record) + "@" + Origin.offset(record);
  }

  /** Handed to the client (or to the reporter), or given back to wait for another attempt. Task thread. */
  public void submitted(boolean submitted) {
    this.submitted = submitted;
  }

  public boolean isSubmitted() {
    return submitted;
  }

  /** AEP accepted it. Any thread. */
  public void delivered() {
    settled = true;
  }

  /** Settled without sending (policy). */
  public void skipped() {
    settled = true;
  }

  /** Handed to the errant record reporter; settled once {@code future} is done without error. */
  public void reported(Future<Void> future) {
    this.reported = future;
  }

  /**
   * Whether it is settled.
   *
   * @throws ExecutionException when the errant record reporter failed to store it
   */
  public boolean isSettled() throws ExecutionException {
    if (settled) {
      return true;
    }
    Future<Void> future = reported;
    if (future == null || !future.isDone()) {
      return false;
    }
    try {
      future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    settled = true;
    return true;
  }
}
