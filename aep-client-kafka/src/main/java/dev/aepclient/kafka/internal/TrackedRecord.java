package dev.aepclient.kafka.internal;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One consumed record between poll and commit. {@link #settle()} happens on any thread (the client's I/O threads,
 * the dead-letter producer's); everything else on the poll thread.
 */
public final class TrackedRecord<K, V> {
  private final ConsumerRecord<K, V> record;
  private final AtomicInteger partitionInFlight;
  private volatile boolean settled;

  /** @param partitionInFlight the partition's count of records submitted and not yet settled */
  public TrackedRecord(ConsumerRecord<K, V> record, AtomicInteger partitionInFlight) {
    this.record = record;
    this.partitionInFlight = partitionInFlight;
  }

  public ConsumerRecord<K, V> record() {
    return record;
  }

  public long offset() {
    return record.offset();
  }

  /** Delivered, or stored by the dead-letter handler: safe to commit past. */
  public void settle() {
    settled = true;
    partitionInFlight.decrementAndGet();
  }

  public boolean isSettled() {
    return settled;
  }

  /** Handed to the client (or to the dead-letter path): in flight until {@link #settle()}. Poll thread only. */
  public void markSubmitted() {
    partitionInFlight.incrementAndGet();
  }
}
