package dev.aepclient.kafka.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One consumed record between poll and commit, and the round of sending its messages.
 *
 * <p>A round: the poll thread {@linkplain #beginRound() begins} it, hands the record's messages to clients one by one
 * ({@link #handed()}; a full buffer can interrupt it, the rest is handed later) and {@linkplain #handingDone() ends the
 * handing}; each message's outcome arrives on a client I/O thread ({@link #outcome}). Whoever brings the count of
 * outstanding messages to zero finishes the round, exactly once: settle, dead-letter, or (AEP unavailable) start
 * over. The record itself (key, value, headers) is dropped once it settles, so a long run of settled records behind
 * one slow head costs a few dozen bytes each, not their payloads.
 */
public final class TrackedRecord<K, V> {
  /** The first rejection among a record's messages: AEP's status and text. */
  public record Rejection(int status, String reason) {}

  private final PartitionState<K, V> owner;
  private final long offset;
  private final long sizeBytes;
  private final long polledAtNanos;
  private volatile ConsumerRecord<K, V> record;
  private volatile boolean settled;
  private boolean countedInFlight; // guarded by this
  private List<?> messages; // poll thread
  private int next; // poll thread
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicReference<Rejection> rejection = new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  TrackedRecord(PartitionState<K, V> owner, ConsumerRecord<K, V> record, long polledAtNanos) {
    this.owner = owner;
    this.record = record;
    this.offset = record.offset();
    this.sizeBytes = sizeOf(record);
    this.polledAtNanos = polledAtNanos;
  }

  /** What a record weighs against the unsettled-bytes caps: its serialized key and value, at least 1. */
  public static long sizeOf(ConsumerRecord<?, ?> record) {
    return Math.max(1, Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize()));
  }

  public PartitionState<K, V> owner() {
    return owner;
  }

  /** The record as consumed; null once settled. */
  public ConsumerRecord<K, V> record() {
    return record;
  }

  public long offset() {
    return offset;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long polledAtNanos() {
    return polledAtNanos;
  }

  public boolean isSettled() {
    return settled;
  }

  /** Whether the record has been mapped (poll thread). */
  public boolean isMapped() {
    return messages != null;
  }

  /** The record's messages, in order (poll thread). */
  public void mapped(List<?> messages) {
    this.messages = List.copyOf(messages);
    this.next = 0;
  }

  /** The next message to hand to a client, or null when all were handed this round (poll thread). */
  public Object nextMessage() {
    return messages != null && next < messages.size() ? messages.get(next) : null;
  }

  /**
   * Starts a round (poll thread). The record counts as in flight (what a revoke or close waits for) only once all its
   * messages are handed: one still waiting for buffer space cannot settle while the poll thread waits.
   */
  public void beginRound() {
    next = 0;
    rejection.set(null);
    failure.set(null);
    outstanding.set(1); // the handing token, returned by handingDone()
  }

  /** Whether a round is under way and its handing is not done (poll thread). */
  public boolean isHanding() {
    return messages != null && outstanding.get() > 0 && !settled;
  }

  /** The message from {@link #nextMessage()} is with a client now (poll thread). */
  public void handed() {
    next++;
    outstanding.incrementAndGet();
  }

  /** Every message of the round is handed (poll thread). True when all outcomes are in: the caller finishes. */
  public boolean handingDone() {
    synchronized (this) {
      if (!countedInFlight && !settled) {
        countedInFlight = true;
        owner.inFlight().incrementAndGet();
      }
    }
    return outstanding.decrementAndGet() == 0;
  }

  /** Starts a round that only hands the record to the dead-letter handler (poll thread); in flight until settled. */
  public void beginDeadLetterRound() {
    beginRound();
    handingDone();
  }

  /**
   * One message's outcome (any thread): {@code rejected} when AEP refused it, {@code failed} when the client gave up
   * (AEP unavailable). True when it was the last outstanding one: the caller finishes the round.
   */
  public boolean outcome(Rejection rejected, Throwable failed) {
    if (rejected != null) {
      rejection.compareAndSet(null, rejected);
    }
    if (failed != null) {
      failure.compareAndSet(null, failed);
    }
    return outstanding.decrementAndGet() == 0;
  }

  /** The first rejection of this round, if any. */
  public Rejection rejection() {
    return rejection.get();
  }

  /** The first delivery failure of this round, if any. */
  public Throwable failure() {
    return failure.get();
  }

  /** The round failed (AEP unavailable): the record waits to be sent again, all its messages (any thread). */
  public void roundFailed() {
    synchronized (this) {
      if (countedInFlight) {
        countedInFlight = false;
        owner.inFlight().decrementAndGet();
      }
    }
  }

  /** Delivered, stored by the dead-letter handler or filtered: safe to commit past. Idempotent; any thread. */
  public void settle() {
    synchronized (this) {
      if (settled) {
        return;
      }
      settled = true;
      record = null;
      messages = null;
      if (countedInFlight) {
        countedInFlight = false;
        owner.inFlight().decrementAndGet();
      }
    }
    owner.onSettled(this);
  }
}
